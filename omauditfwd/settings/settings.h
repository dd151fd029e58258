/* settings.h -- the one table of omauditfwd's settings.
 *
 * One row per setting: its name (the action parameter's, and the CLI's long
 * option), type, range or allowed values, default, where the front ends
 * store it, which transports and formats it applies to, whether it needs
 * rsyslogd, and a one-line description. The module builds its parameter
 * list from it and checks every value with it; the CLI builds its options
 * and --help from it; --list-settings and --man print it for the README
 * check and the manual page. After librdkafka's property table and Fluent
 * Bit's config_map[]: the rows are data, the checks are one function.
 *
 * Ownership: the table is static and read-only; values checked here are
 * the caller's (nothing is kept).
 */
#ifndef AUDITFWD_SETTINGS_H
#define AUDITFWD_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

typedef enum setting_type {
	SETTING_BOOL = 0,   /* on | off */
	SETTING_INT,        /* a whole number in [min, max] */
	SETTING_SIZE,       /* a size (k, m, g: 1024-based; K, M, G: 1000) in [min, max] */
	SETTING_PORT,       /* a port, given as text: 1..65535 */
	SETTING_ENUM,       /* one of the words of allowed (check: the core's parser) */
	SETTING_WORD,       /* text the core checks (check), allowed says what it takes */
	SETTING_TEXT,       /* free text (a file, a name) */
	SETTING_LIST        /* one text or an array of them (CLI: repeatable) */
} setting_type_t;

/* flags */
#define SETTING_RSYSLOG_ONLY 0x01u /* means something only inside rsyslogd */
#define SETTING_NONBLANK     0x02u /* text (each entry): not empty nor only spaces */
#define SETTING_ZERO_OK      0x04u /* INT, SIZE: 0 is allowed below min */
#define SETTING_CLI_ONLY     0x08u /* the CLI's own: no action parameter */
#define SETTING_NO_VALUE     0x10u /* CLI only: a switch without a value */
#define SETTING_ONE_WORD     0x20u /* TEXT: rsyslog takes it up to a space */
#define SETTING_TLS          0x40u /* needs TLS on (a transport that speaks it) */

/* the settings, in table order (settings_table()[id].id == id) */
typedef enum setting_id {
	SET_TEMPLATE = 0, SET_TARGET, SET_PORT, SET_TRANSPORT, SET_FRAMING, SET_FORMAT,
	SET_UNPARSED, SET_SYSLOG_HEADER, SET_SYSLOG_APPNAME, SET_SYSLOG_FACILITY,
	SET_SYSLOG_SEVERITY, SET_LEEF_VERSION, SET_LEEF_DELIMITER, SET_TIMEOUT_CONNECT,
	SET_TIMEOUT_IO, SET_FAILBACK_INTERVAL, SET_RESEND_WINDOW, SET_JOIN, SET_JOIN_TIMEOUT,
	SET_JOIN_MAXPENDING, SET_JOIN_MAXRECORDS, SET_JOIN_MAXBYTES, SET_ENRICH,
	SET_ENRICH_IDS, SET_ENRICH_HOSTNAME, SET_TRUSTED, SET_STATSNAME,
	SET_MAX_MESSAGE_SIZE, SET_BROKER, SET_TOPIC, SET_KEY, SET_COMPRESSION,
	SET_CONF_PARAM, SET_TOPIC_CONF_PARAM, SET_CLOSE_TIMEOUT, SET_DYNA_TOPIC,
	SET_DYNA_KEY, SET_KAFKA_HEADER, SET_TLS_CACERT, SET_TLS_MYCERT, SET_TLS_MYPRIVKEY,
	SET_TLS_AUTHMODE, SET_TLS_PERMITTEDPEER, SET_TLS_MINVERSION, SET_FILTER,
	SET_FILTER_FILE, SET_ATTACK, SET_ATTACK_MAPPING, SET_ANCESTRY, SET_ANCESTRY_DEPTH,
	SET_ANCESTRY_MAXPROCS, SET_RELP_TLS, SET_TLS_TLSLIB, SET_RELP_TIMEOUT,
	SET_RELP_CONN_TIMEOUT, SET_WINDOW_SIZE, SET_REBIND_INTERVAL,
	/* the CLI's own (SETTING_CLI_ONLY) */
	SET_CLI_HOST, SET_CLI_FILTER_CLOCK, SET_CLI_ANCESTRY_PROC, SET_CLI_DEADLETTER,
	SET_CLI_STATS,
	SET_COUNT
} setting_id_t;

#define SETTINGS_SIZE_MAX  (1LL << 40)  /* the largest size any setting takes */
#define SETTINGS_ERR_MAX   512          /* enough for every message below */
#define SETTINGS_TEXT_MAX  512          /* a row's type or transports as text */

typedef struct setting {
	setting_id_t id;
	const char *name;        /* action parameter; CLI: --NAME */
	const char *alias;       /* CLI: the older --alias, still accepted; NULL */
	setting_type_t type;
	long long min, max;      /* INT, SIZE */
	const char *allowed;     /* what a value may be, for messages and docs */
	const char *(*allowed_fn)(void); /* ... when the core knows (NULL) */
	int (*check)(const char *s); /* ENUM, WORD: 0 when S is valid; NULL: none */
	const char *dflt;        /* the default, as documented */
	const char *stored;      /* where the front ends keep it */
	const char *transports;  /* "tcp tls": the transports it applies to; NULL: all */
	const char *format;      /* the format it applies to; NULL: all */
	unsigned flags;
	const char *help;        /* one line */
} setting_t;

/* The table: SET_COUNT rows, in setting_id_t order. */
const setting_t *settings_table(void);
const setting_t *settings_get(setting_id_t id);
/* the row named NAME (or, CLI, whose alias it is), or NULL */
const setting_t *settings_find(const char *name);

/* what S's values may be: allowed_fn's or allowed */
const char *settings_allowed(const setting_t *s);

/* A value as a number (INT, SIZE, BOOL: 0/1, PORT) or text (the rest). */
typedef struct setting_value {
	long long n;
	const char *text;        /* the caller's */
} setting_value_t;

/* Parse TEXT for S into *V (the CLI: every type): 0, or -1 with the message
 * ("invalid value 'x', expected ...") in ERR, without the setting's name. */
int settings_parse(const setting_t *s, const char *text, setting_value_t *v,
                   char *err, size_t errlen);
/* A number rsyslog already parsed (INT, SIZE, BOOL): in range? 0 or -1 +
 * ERR. No value wraps: what the range admits fits the field it goes to. */
int settings_check_number(const setting_t *s, long long n, char *err, size_t errlen);
/* Text (ENUM, WORD, TEXT, PORT, a LIST entry): 0 or -1 + ERR. */
int settings_check_text(const setting_t *s, const char *text, char *err, size_t errlen);
/* Does S apply to TRANSPORT (its name)? 1 or 0. */
int settings_applies(const setting_t *s, const char *transport);
/* The transports S applies to, for a message: "tcp, tls" */
void settings_transports_text(const setting_t *s, char *out, size_t len);

/* --list-settings: one tab-separated line per row: name, type, default,
 * transports, format, where it is meant (rsyslog-only, cli-only, both),
 * alias, help, where the front ends store it */
void settings_list(FILE *f);
/* S's type as the README writes it ("ms > 0", "on | off", ...) */
const char *settings_type_text(const setting_t *s, char *buf, size_t len);

#endif
