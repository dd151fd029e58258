/* syslog_read.h -- the syslog header of a received line, read: where the
 * message starts, the HOSTNAME, the time, the APP-NAME. The headers known:
 *   RFC 5424:       <PRI>VERSION TIMESTAMP HOST APP PROCID MSGID SD [MSG]
 *   RFC 3164:       [<PRI>]Mmm dd hh:mm:ss HOST TAG: MSG
 *   rsyslog files:  [<PRI>]YYYY-MM-DDThh:mm:ss... HOST TAG: MSG
 * The writer is syslog_header.h, the times syslog_time.h. Pure functions;
 * never read outside [LINE, END).
 */
#ifndef AUDITFWD_SYSLOG_READ_H
#define AUDITFWD_SYSLOG_READ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Where the message of LINE starts (LINE itself when no header is
 * recognised). When the header names a host, *HOST / *HOSTLEN are set to
 * it (HOSTLEN 0 for RFC 5424's NILVALUE "-"); otherwise left untouched.
 * A 3164 token that ends in ':' or holds '[' is a TAG, not a host. */
const char *syslog_read_header(const char *line, const char *end,
                               const char **host, size_t *hostlen);

/* The header's time into *SEC / *MSEC: RFC 5424's TIMESTAMP, else a
 * leading RFC 3339 time, else an RFC 3164 one (read in the year of NOW,
 * *MSEC untouched). 1 when one was found, 0 (outputs untouched) if not. */
int syslog_read_time(const char *line, const char *end, time_t now,
                     int64_t *sec, unsigned *msec);

/* 1 when LINE is RFC 5424 and its APP-NAME is APP (LEN bytes). */
int syslog_read_app_is(const char *line, const char *end, const char *app,
                       size_t len);

#endif
