/* syslog_time.h -- syslog's times, read and written: RFC 3339 (RFC 5424's
 * TIMESTAMP, rsyslog's file format) and RFC 3164's "Mmm dd hh:mm:ss",
 * which has no year and no zone. The one month table and the one RFC 3339
 * writer of the project. Readers are used for records that carry no
 * audit(SEC.MSEC:SERIAL) of their own (journald's form). Pure functions;
 * never read outside [P, END).
 */
#ifndef AUDITFWD_SYSLOG_TIME_H
#define AUDITFWD_SYSLOG_TIME_H

#include <stdint.h>
#include <time.h>

#include "buf.h"

#define SYSLOG_MONTHS    12
#define SYSLOG_3339_MAX  48  /* the longest syslog_time_fmt_3339 output + NUL */

/* "YYYY-MM-DDThh:mm:ss[.fff...](Z|+hh:mm|-hh:mm)" at P -> *SEC, *MSEC;
 * 1 on success, 0 (outputs untouched) when P holds no such time. */
int syslog_time_3339(const char *p, const char *end, int64_t *sec,
                     unsigned *msec);

/* "Mmm dd hh:mm:ss" at P, read as this host's local time in the year of
 * NOW (the year before when that would put it more than a day after NOW),
 * as syslog receivers read it -> *SEC; 1 on success, 0 otherwise. */
int syslog_time_3164(const char *p, const char *end, time_t now,
                     int64_t *sec);

/* The month at P ("Jan".."Dec", 0-11), or -1. */
int syslog_month_at(const char *p, const char *end);
/* "Jan".."Dec" for MON (taken modulo 12). */
const char *syslog_month_name(int mon);

/* SEC.MSEC as "YYYY-MM-DDThh:mm:ss.fffZ" (UTC; MSEC modulo 1000) into OUT,
 * NUL-terminated: its length. Years 0-9999 by arithmetic (no gmtime_r, no
 * time zone lock); others as gmtime_r prints them ("%04d" of the year,
 * "1900-01-00T00:00:00.000Z" when gmtime_r fails). */
size_t syslog_time_fmt_3339(char out[SYSLOG_3339_MAX], int64_t sec,
                            unsigned msec);
/* The same appended to OUT. */
void syslog_time_put_3339(buf_t *out, int64_t sec, unsigned msec);

#endif
