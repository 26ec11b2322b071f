# SPDX-License-Identifier: BSD-3-Clause
"""./pogo inspect: what is in a Pogo image, read from its build outputs
(the linker map, the image with debug symbols and the resolved .config).
Run it as `python3 -m pogo_inspect` with scripts/ on the module path."""
