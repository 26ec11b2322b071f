#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Unit tests of the report generator: fixed results in, expected
Markdown tables out, and a gnuplot script that draws a PNG.

usage: python3 bench/test_report.py"""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import report  # noqa: E402


def spread(median, low, high, n=3):
    return {"median": median, "min": low, "max": high, "n": n}


RESULTS = {
    "machine": {"date": "2026-12-04", "cpu": "Test CPU", "cores": 2,
                "kernel": "6.1", "qemu": "QEMU 7.2", "accelerator": "TCG",
                "linux_vm": "linux-image-6.1.0-57-amd64", "quick": True,
                "method": "rounds."},
    "results": {
        "httpd": [
            {"name": "httpd: wrk 30 connections, throughput",
             "unit": "requests/s", "better": "higher", "plot": "throughput",
             "systems": {"pogo": spread(11000.0, 10000.0, 12000.0),
                         "host": spread(44000.0, 43000.0, 45000.0),
                         "linuxvm": spread(2200.0, 2000.0, 2400.0)},
             "target": "at least 3x the Linux VM's rate", "met": True,
             "commands": {"pogo": "qemu-system-x86_64 -M microvm"}},
        ],
        "boot": [
            {"name": "helloworld: image size", "unit": "bytes",
             "better": "lower", "systems": {"pogo": 214464},
             "target": "<= 100 KB", "met": False},
        ],
        "redis": {"skipped": "building apps/redis failed"},
    },
}


class SuiteTable(unittest.TestCase):
    def test_columns_are_systems_present_and_ratios(self):
        lines = report.suite_table(RESULTS["results"]["httpd"])
        self.assertEqual(lines[0], "| figure | unit | Pogo | host | Linux VM | "
                         "Pogo / host | Pogo / Linux VM | target | met |")

    def test_row_has_median_range_and_ratios(self):
        lines = report.suite_table(RESULTS["results"]["httpd"])
        self.assertEqual(lines[2], "| httpd: wrk 30 connections, throughput | "
                         "requests/s ↑ | 11,000 (10,000–12,000) | "
                         "44,000 (43,000–45,000) | 2,200 (2,000–2,400) | "
                         "0.25 | 5.00 | at least 3x the Linux VM's rate | yes |")

    def test_single_system_has_no_ratio_column(self):
        lines = report.suite_table(RESULTS["results"]["boot"])
        self.assertEqual(lines[0], "| figure | unit | Pogo | target | met |")
        self.assertEqual(lines[2], "| helloworld: image size | bytes ↓ | "
                         "214,464 | <= 100 KB | **no** |")

    def test_missing_value_is_na_and_has_no_ratio(self):
        figure = {"name": "f", "unit": "ms", "better": "lower",
                  "systems": {"pogo": None, "host": 2.0}}
        lines = report.suite_table([figure])
        self.assertEqual(lines[2], "| f | ms ↓ | n/a | 2.00 |  |  |  |")


class Markdown(unittest.TestCase):
    def test_skipped_suite_gives_its_reason(self):
        text = report.markdown(RESULTS, [])
        self.assertIn("## redis\n\nNot measured: building apps/redis failed",
                      text)

    def test_headline_contains_named_figures(self):
        text = report.markdown(RESULTS, [])
        headline = text.split("## Headline")[1].split("## httpd")[0]
        self.assertIn("httpd: wrk 30 connections, throughput", headline)
        self.assertIn("helloworld: image size", headline)

    def test_quick_run_gives_quick_command(self):
        self.assertIn("`make bench QUICK=1`", report.markdown(RESULTS, []))

    def test_commands_are_listed(self):
        text = report.markdown(RESULTS, [])
        self.assertIn("```\nqemu-system-x86_64 -M microvm\n```", text)


@unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed")
class Plots(unittest.TestCase):
    def test_throughput_plot_is_png(self):
        with tempfile.TemporaryDirectory() as out:
            drawn = report.plots(RESULTS["results"], out)
            self.assertEqual(drawn, [("throughput.png", "throughput")])
            with open(os.path.join(out, "throughput.png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_parts_plot_stacks_each_image(self):
        results = {"boot": [
            {"name": f"{app}: image size", "unit": "bytes", "better": "lower",
             "plot": "size", "label": app, "systems": {"pogo": total},
             "parts": parts}
            for app, total, parts in (
                ("helloworld", 96624, {"Pogo": 70000, "symbol table": 19389,
                                       "musl libc": 4213}),
                ("nginx", 749120, {"application": 263271, "lwIP": 69399,
                                   "Pogo": 200000}))]}
        with tempfile.TemporaryDirectory() as out:
            drawn = report.plots(results, out)
            self.assertIn(("image-parts.png", report.PLOTS["parts"][1]), drawn)
            with open(os.path.join(out, "image-parts.png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main()
