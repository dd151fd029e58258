/* syslog_header.h -- the syslog header in front of every message we send.
 *
 * RFC 5424 (default): <PRI>1 TIMESTAMP HOST APP-NAME - - - BODY
 * RFC 3164:           <PRI>Mmm dd hh:mm:ss HOST APP-NAME: BODY
 * The timestamp is the event's audit time (UTC), so the collector sees when
 * it happened, not when it was forwarded; an implausible audit time (see
 * audit_time_plausible) is replaced by the receiving clock by the caller,
 * and a time with a year past 9999 never goes out.
 */
#ifndef AUDITFWD_SYSLOG_HEADER_H
#define AUDITFWD_SYSLOG_HEADER_H

#include <stdint.h>

#include "buf.h"

typedef enum syslog_style {
	SYSLOG_HDR_RFC5424 = 0,
	SYSLOG_HDR_RFC3164,
	SYSLOG_HDR_NONE            /* body only: the CLI's preview */
} syslog_style_t;

#define SYSLOG_DEFAULT_FACILITY 1  /* user, as auditd's syslog plugin */
#define SYSLOG_DEFAULT_SEVERITY 6  /* info */
#define SYSLOG_DEFAULT_APPNAME  "auditd"
#define SYSLOG_APPNAME_MAX      48 /* RFC 5424 APP-NAME */
#define SYSLOG_HOSTNAME_MAX     255

typedef struct syslog_hdr_conf {
	syslog_style_t style;
	int facility;              /* 0..23 */
	int severity;              /* 0..7 */
	const char *app_name;      /* printable US-ASCII, no spaces */
} syslog_hdr_conf_t;

void syslog_hdr_conf_default(syslog_hdr_conf_t *c);
/* Parse "rfc5424" | "rfc3164" | "none"; -1 if unknown. */
int syslog_style_parse(const char *s, syslog_style_t *out);
/* A facility by name ("user", "local0", "authpriv", ...) or number 0-23;
 * a severity by name ("info", "warning", "err", ...) or number 0-7.
 * 0, or -1 when S is neither. */
int syslog_facility_parse(const char *s, int *out);
int syslog_severity_parse(const char *s, int *out);
/* 0 if NAME is usable as APP-NAME, else -1. */
int syslog_app_name_check(const char *name);
/* 1 when NAME (LEN bytes) may stand as a HOSTNAME as it is: 1 to
 * SYSLOG_HOSTNAME_MAX of the characters of a host name (RFC 1123: letters,
 * digits, '-', '.'), of an IPv4 or IPv6 address (':'), or '_' (auditd's
 * name_format=user names), and not RFC 5424's NILVALUE "-". A node= that
 * is not one must not name the message (see pipeline.c). */
int syslog_hostname_ok(const char *name, size_t len);

/* Append the header; HOST is sanitised (no spaces or control characters,
 * "-" when empty) so it cannot break the header. */
void syslog_header_write(buf_t *out, const syslog_hdr_conf_t *c,
                         int64_t sec, unsigned msec,
                         const char *host, size_t hostlen);
/* HOST (HOSTLEN bytes) as syslog_header_write writes it, into OUT; its
 * length (at least 1). */
size_t syslog_header_host(const char *host, size_t hostlen,
                          char out[SYSLOG_HOSTNAME_MAX + 1]);

#endif
