/* syslog_time.h -- the time in a received syslog header, as seconds since
 * the epoch: RFC 3339 (RFC 5424's TIMESTAMP, rsyslog's file format) and
 * RFC 3164's "Mmm dd hh:mm:ss", which has no year and no zone. Used for
 * records that carry no audit(SEC.MSEC:SERIAL) of their own (journald's
 * form). Pure functions; never read outside [P, END).
 */
#ifndef AUDITFWD_SYSLOG_TIME_H
#define AUDITFWD_SYSLOG_TIME_H

#include <stdint.h>
#include <time.h>

/* "YYYY-MM-DDThh:mm:ss[.fff...](Z|+hh:mm|-hh:mm)" at P -> *SEC, *MSEC;
 * 1 on success, 0 (outputs untouched) when P holds no such time. */
int syslog_time_3339(const char *p, const char *end, int64_t *sec,
                     unsigned *msec);

/* "Mmm dd hh:mm:ss" at P, read as this host's local time in the year of
 * NOW (the year before when that would put it more than a day after NOW),
 * as syslog receivers read it -> *SEC; 1 on success, 0 otherwise. */
int syslog_time_3164(const char *p, const char *end, time_t now,
                     int64_t *sec);

#endif
