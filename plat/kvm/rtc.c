/* SPDX-License-Identifier: BSD-3-Clause */
/* Wall-clock time from the CMOS real-time clock (MC146818). */
#include <pogo/arch/cpu.h>
#include <pogo/time.h>

#define CMOS_INDEX  0x70
#define CMOS_DATA   0x71
#define REG_SEC     0x00
#define REG_MIN     0x02
#define REG_HOUR    0x04
#define REG_DAY     0x07
#define REG_MONTH   0x08
#define REG_YEAR    0x09
#define REG_A       0x0a
#define REG_B       0x0b
#define REG_CENTURY 0x32
#define A_UIP       0x80
#define B_24H       0x02
#define B_BINARY    0x04

struct rtc_time {
    unsigned sec, min, hour, day, month, year, century;
};

static unsigned cmos(unsigned reg)
{
    x86_outb(CMOS_INDEX, reg);
    return x86_inb(CMOS_DATA);
}

static void read_raw(struct rtc_time *t)
{
    t->sec = cmos(REG_SEC);
    t->min = cmos(REG_MIN);
    t->hour = cmos(REG_HOUR);
    t->day = cmos(REG_DAY);
    t->month = cmos(REG_MONTH);
    t->year = cmos(REG_YEAR);
    t->century = cmos(REG_CENTURY);
}

static unsigned bcd(unsigned v)
{
    return (v & 0x0f) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t pogo_plat_rtc_seconds(void)
{
    struct rtc_time a, b;
    unsigned regb, tries = 0;
    bool pm;

    /* Read twice until two reads agree outside an update cycle. */
    do {
        while ((cmos(REG_A) & A_UIP) && ++tries < 100000)
            ;
        read_raw(&a);
        read_raw(&b);
    } while ((a.sec != b.sec || a.min != b.min) && ++tries < 100000);

    regb = cmos(REG_B);
    pm = a.hour & 0x80;
    a.hour &= 0x7f;
    if (!(regb & B_BINARY)) {
        a.sec = bcd(a.sec);
        a.min = bcd(a.min);
        a.hour = bcd(a.hour);
        a.day = bcd(a.day);
        a.month = bcd(a.month);
        a.year = bcd(a.year);
        a.century = bcd(a.century);
    }
    if (!(regb & B_24H) && pm)
        a.hour = (a.hour % 12) + 12;
    if (a.century < 19 || a.century > 99)
        a.century = 20;
    if (a.month < 1 || a.month > 12 || a.day < 1 || a.day > 31)
        return 0;
    return days_from_civil(a.century * 100 + a.year, a.month, a.day) * 86400 +
           a.hour * 3600 + a.min * 60 + a.sec;
}
