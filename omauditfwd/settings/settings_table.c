/* settings_table.c -- the rows of the settings table (settings.h) and the
 * small checks that tie an ENUM or WORD row to the core's own parser.
 * Adding a setting: one row here, one id in settings.h, its storage in
 * each front end. */
#include <limits.h>
#include <string.h>

#include "settings.h"
#include "ancestry.h"
#include "audit_event.h"
#include "enrich.h"
#include "format.h"
#include "pipeline.h"
#include "reduce.h"
#include "syslog_header.h"
#include "transport.h"

static int ok_transport(const char *s) { return transport_find(s) ? 0 : -1; }
static int ok_format(const char *s) { return format_find(s) ? 0 : -1; }

static int ok_framing(const char *s)
{
	framing_t f;
	return framing_parse(s, &f);
}

static int ok_unparsed(const char *s)
{
	unparsed_policy_t p;
	return unparsed_policy_parse(s, &p);
}

/* an action always has a header; "none" is the CLI's (stdout) */
static int ok_header(const char *s)
{
	syslog_style_t st;
	return syslog_style_parse(s, &st) != 0 || st == SYSLOG_HDR_NONE ? -1 : 0;
}

static int ok_facility(const char *s)
{
	int v;
	return syslog_facility_parse(s, &v);
}

static int ok_severity(const char *s)
{
	int v;
	return syslog_severity_parse(s, &v);
}

static int ok_leef_version(const char *s)
{
	int v;
	return format_leef_version_parse(s, &v);
}

static int ok_leef_delim(const char *s)
{
	char c;
	return format_leef_delim_parse(s, &c);
}

static int ok_ids(const char *s)
{
	enrich_ids_t v;
	return enrich_ids_parse(s, &v);
}

static int ok_authmode(const char *s)
{
	tls_authmode_t m;
	return tls_authmode_parse(s, &m);
}

static int ok_appname(const char *s) { return syslog_app_name_check(s); }

#define STR_(x) #x
#define STR(x) STR_(x)
#define TCP_TLS_RELP "tcp tls relp"
#define ANY_TLS "tls relp"

#define ROW(id, name, alias, type, min, max, allowed, fn, check, dflt, stored, tr, fmt, \
            flags, help) \
	{ id, name, alias, type, min, max, allowed, fn, check, dflt, stored, tr, fmt, flags, help }
#define BOOL_ROW(id, name, alias, dflt, stored, tr, flags, help) \
	ROW(id, name, alias, SETTING_BOOL, 0, 1, "on, off", NULL, NULL, dflt, stored, tr, \
	    NULL, flags, help)
#define MS_ROW(id, name, alias, dflt, stored, tr, help) \
	ROW(id, name, alias, SETTING_INT, 1, INT_MAX, "milliseconds > 0", NULL, NULL, dflt, \
	    stored, tr, NULL, 0, help)

static const setting_t table[SET_COUNT] = {
	ROW(SET_TEMPLATE, "template", NULL, SETTING_TEXT, 0, 0, "a template name", NULL, NULL,
	    "the module's line (RFC 5424)", "module: tplName", NULL, NULL,
	    SETTING_RSYSLOG_ONLY | SETTING_NONBLANK | SETTING_ONE_WORD, "what the module parses for each message"),
	ROW(SET_TARGET, "target", NULL, SETTING_LIST, 0, 0, "host, host:port or [v6]:port",
	    NULL, NULL, "none", "transport_conf_t.targets", NULL, NULL, SETTING_NONBLANK,
	    "collector(s), tried in order on every (re)connect"),
	ROW(SET_PORT, "port", NULL, SETTING_PORT, 1, 65535, "a number from 1 to 65535", NULL,
	    NULL, "the transport's (514, 6514, 9092)", "transport_conf_t.port", NULL, NULL, 0,
	    "collector port"),
	ROW(SET_TRANSPORT, "transport", NULL, SETTING_ENUM, 0, 0, NULL, transport_names,
	    ok_transport, "tcp", "the transport's operations", NULL, NULL, 0,
	    "how to reach the collector"),
	ROW(SET_FRAMING, "framing", NULL, SETTING_ENUM, 0, 0, "octet-counted, lf", NULL,
	    ok_framing, "octet-counted", "transport_conf_t.framing", NULL, NULL, 0,
	    "RFC 6587 octet counting or one message per line"),
	ROW(SET_FORMAT, "format", NULL, SETTING_ENUM, 0, 0, NULL, format_names, ok_format,
	    "json", "pipeline_conf_t.format", NULL, NULL, 0, "message body"),
	ROW(SET_UNPARSED, "unparsed", NULL, SETTING_ENUM, 0, 0, "forward, drop", NULL,
	    ok_unparsed, "forward", "pipeline_conf_t.unparsed", NULL, NULL, 0,
	    "a line that is not an audit record: forwarded flagged, or dropped (counted)"),
	ROW(SET_SYSLOG_HEADER, "syslog.header", "syslog-header", SETTING_ENUM, 0, 0,
	    "rfc5424, rfc3164", NULL, ok_header, "rfc5424 (CLI: none on stdout)",
	    "pipeline_conf_t.header.style", NULL, NULL, 0,
	    "header in front of each message (the CLI also takes none)"),
	ROW(SET_SYSLOG_APPNAME, "syslog.appname", "syslog-appname", SETTING_WORD, 0, 0,
	    "1 to " STR(SYSLOG_APPNAME_MAX) " printable characters without spaces, ':' or '['",
	    NULL, ok_appname, SYSLOG_DEFAULT_APPNAME, "pipeline_conf_t.header.app_name", NULL,
	    NULL, 0, "syslog APP-NAME"),
	ROW(SET_SYSLOG_FACILITY, "syslog.facility", "syslog-facility", SETTING_WORD, 0, 0,
	    "a number from 0 to 23, or kern, user, mail, daemon, auth, syslog, lpr, news, "
	    "uucp, cron, authpriv, ftp, ntp, audit, alert, clock, local0 ... local7", NULL,
	    ok_facility, "user (1)", "pipeline_conf_t.header.facility", NULL, NULL, 0,
	    "facility of the PRI"),
	ROW(SET_SYSLOG_SEVERITY, "syslog.severity", "syslog-severity", SETTING_WORD, 0, 0,
	    "a number from 0 to 7, or emerg, alert, crit, err, warning, notice, info, debug",
	    NULL, ok_severity, "info (6)", "pipeline_conf_t.header.severity", NULL, NULL, 0,
	    "severity of the PRI"),
	ROW(SET_LEEF_VERSION, "leef.version", "leef-version", SETTING_ENUM, 0, 0, "2.0, 1.0",
	    NULL, ok_leef_version, "2.0", "pipeline_conf_t.fmt.leef_version", NULL, "leef", 0,
	    "LEEF version"),
	ROW(SET_LEEF_DELIMITER, "leef.delimiter", "leef-delimiter", SETTING_WORD, 0, 0,
	    "one printable character that is not a letter, digit, '_', '.', '=', '\\' or "
	    "space, or its code as xHH (x09: TAB)", NULL, ok_leef_delim, "x09 (TAB)",
	    "pipeline_conf_t.fmt.leef_delim", NULL, "leef", 0, "LEEF 2.0 attribute delimiter"),
	MS_ROW(SET_TIMEOUT_CONNECT, "timeout.connect", "timeout-connect",
	       STR(TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS), "transport_conf_t.connect_timeout_ms",
	       "tcp tls kafka", "connect timeout (relp: conn.timeout)"),
	MS_ROW(SET_TIMEOUT_IO, "timeout.io", "timeout-io", STR(TRANSPORT_DEFAULT_IO_TIMEOUT_MS),
	       "transport_conf_t.io_timeout_ms", "tcp tls kafka",
	       "longest time without progress writing or awaiting an acknowledgement"),
	MS_ROW(SET_FAILBACK_INTERVAL, "failback.interval", NULL,
	       STR(TRANSPORT_DEFAULT_FAILBACK_INTERVAL_MS), "transport_conf_t.failback_interval_ms",
	       TCP_TLS_RELP, "while on a later target, how often at most to try the earlier ones"),
	ROW(SET_RESEND_WINDOW, "resendWindow", "resend-window", SETTING_SIZE, 0,
	    (long long)TRANSPORT_RESEND_WINDOW_MAX, NULL, NULL, NULL, "256k",
	    "transport_conf_t.resend_window", "tcp tls", NULL, 0,
	    "delivered bytes resent after a lost connection (0: none)"),
	BOOL_ROW(SET_JOIN, "join", NULL, "on", "front end: join", NULL, 0,
	         "join the records of each event into one message"),
	MS_ROW(SET_JOIN_TIMEOUT, "join.timeout", "join-timeout",
	       STR(AUDIT_JOIN_DEFAULT_TIMEOUT_MS), "audit_joiner_conf_t.timeout_ms", NULL,
	       "an event without its EOE is complete after this long"),
	ROW(SET_JOIN_MAXPENDING, "join.maxpending", "join-maxpending", SETTING_INT, 1, INT_MAX,
	    NULL, NULL, NULL, STR(AUDIT_JOIN_DEFAULT_MAX_PENDING),
	    "audit_joiner_conf_t.max_pending", NULL, NULL, 0, "incomplete events held at most"),
	ROW(SET_JOIN_MAXRECORDS, "join.maxrecords", "join-maxrecords", SETTING_INT, 1, INT_MAX,
	    NULL, NULL, NULL, STR(AUDIT_JOIN_DEFAULT_MAX_RECORDS),
	    "audit_joiner_conf_t.max_records", NULL, NULL, 0, "records one event holds at most"),
	ROW(SET_JOIN_MAXBYTES, "join.maxbytes", "join-maxbytes", SETTING_SIZE,
	    AUDIT_JOIN_MIN_MAX_BYTES, SETTINGS_SIZE_MAX, NULL, NULL, NULL, "32m",
	    "audit_joiner_conf_t.max_bytes", NULL, NULL, 0,
	    "bytes of records one event holds at most (one record always fits)"),
	BOOL_ROW(SET_ENRICH, "enrich", NULL, "on", "front end: enrich", NULL, 0,
	         "decode values and add interpretations"),
	ROW(SET_ENRICH_IDS, "enrich.ids", "enrich-ids", SETTING_ENUM, 0, 0,
	    "auto, always, never", NULL, ok_ids, "auto", "enrich_conf_t.ids", NULL, NULL, 0,
	    "uid/gid names from this host's passwd and group"),
	BOOL_ROW(SET_ENRICH_HOSTNAME, "enrich.hostname", "enrich-hostname", "on",
	         "pipeline_conf_t.attribute_host", NULL, 0,
	         "the event's host member (off: none, the header names this host)"),
	BOOL_ROW(SET_TRUSTED, "trusted", NULL, "on", "pipeline_conf_t.trusted", NULL, 0,
	         "off: every line is forwarded flagged untrusted, never parsed"),
	ROW(SET_STATSNAME, "statsname", NULL, SETTING_TEXT, 0, 0, "a name", NULL, NULL,
	    "omauditfwd-<target>:<port>", "module: statsname", NULL, NULL,
	    SETTING_RSYSLOG_ONLY | SETTING_NONBLANK | SETTING_ONE_WORD, "impstats object and spool file name"),
	ROW(SET_MAX_MESSAGE_SIZE, "maxMessageSize", "max-message-size", SETTING_SIZE,
	    REDUCE_MIN_LIMIT, SETTINGS_SIZE_MAX, NULL, NULL, NULL,
	    "8096 (kafka: from message.max.bytes)", "pipeline_conf_t.max_message", NULL, NULL,
	    SETTING_ZERO_OK, "largest message sent; a larger event is reduced (0: no limit)"),
	ROW(SET_BROKER, "broker", NULL, SETTING_LIST, 0, 0, "host:port", NULL, NULL, "target",
	    "transport_conf_t.kafka.brokers", "kafka", NULL, SETTING_NONBLANK, "Kafka bootstrap brokers"),
	ROW(SET_TOPIC, "topic", NULL, SETTING_TEXT, 0, 0, "a topic name", NULL, NULL, "none",
	    "transport_conf_t.kafka.topic", "kafka", NULL, SETTING_NONBLANK | SETTING_ONE_WORD,
	    "Kafka topic (dynaTopic: a template's name)"),
	ROW(SET_KEY, "key", NULL, SETTING_TEXT, 0, 0, "host, or a fixed key", NULL, NULL,
	    "none", "transport_conf_t.kafka.key", "kafka", NULL, SETTING_ONE_WORD, "message key"),
	ROW(SET_COMPRESSION, "compression", NULL, SETTING_ENUM, 0, 0,
	    "none, gzip, snappy, lz4, zstd", NULL, NULL, "none",
	    "transport_conf_t.kafka.compression", "kafka",
	    NULL, 0, "producer compression"),
	ROW(SET_CONF_PARAM, "confParam", "conf-param", SETTING_LIST, 0, 0, "key=value", NULL,
	    NULL, "none", "transport_conf_t.kafka.conf_params", "kafka", NULL, SETTING_NONBLANK,
	    "librdkafka producer setting"),
	ROW(SET_TOPIC_CONF_PARAM, "topicConfParam", "topic-conf-param", SETTING_LIST, 0, 0,
	    "key=value", NULL, NULL, "none", "transport_conf_t.kafka.topic_conf_params", "kafka", NULL,
	    SETTING_NONBLANK, "librdkafka topic setting"),
	MS_ROW(SET_CLOSE_TIMEOUT, "closeTimeout", "close-timeout",
	       STR(TRANSPORT_DEFAULT_KAFKA_CLOSE_TIMEOUT_MS),
	       "transport_conf_t.kafka.close_timeout_ms", "kafka",
	       "how long closing the producer waits for messages in flight"),
	BOOL_ROW(SET_DYNA_TOPIC, "dynaTopic", NULL, "off",
	         "module: dyna_topic; transport_conf_t.kafka.topic_dynamic", "kafka",
	         SETTING_RSYSLOG_ONLY, "topic names a template, rendered per event"),
	BOOL_ROW(SET_DYNA_KEY, "dynaKey", NULL, "off", "module: dyna_key", "kafka",
	         SETTING_RSYSLOG_ONLY, "key names a template, rendered per event"),
	ROW(SET_KAFKA_HEADER, "kafkaHeader", NULL, SETTING_LIST, 0, 0, "name=value", NULL, NULL,
	    "none", "transport_conf_t.kafka.headers", "kafka", NULL, 0, "header added to every message"),
	ROW(SET_TLS_CACERT, "tls.cacert", NULL, SETTING_TEXT, 0, 0, "a PEM file", NULL, NULL,
	    "global(DefaultNetstreamDriverCAFile), else the system's store", "transport_conf_t.tls.cacert",
	    ANY_TLS, NULL, SETTING_NONBLANK | SETTING_TLS, "CA certificates the collector's must chain to"),
	ROW(SET_TLS_MYCERT, "tls.mycert", NULL, SETTING_TEXT, 0, 0, "a PEM file", NULL, NULL,
	    "global(DefaultNetstreamDriverCertFile)", "transport_conf_t.tls.mycert", ANY_TLS, NULL,
	    SETTING_NONBLANK | SETTING_TLS, "client certificate (chain) for mutual TLS"),
	ROW(SET_TLS_MYPRIVKEY, "tls.myprivkey", NULL, SETTING_TEXT, 0, 0, "a PEM file", NULL,
	    NULL, "global(DefaultNetstreamDriverKeyFile)", "transport_conf_t.tls.myprivkey", ANY_TLS, NULL,
	    SETTING_NONBLANK | SETTING_TLS, "key of tls.mycert"),
	ROW(SET_TLS_AUTHMODE, "tls.authmode", NULL, SETTING_ENUM, 0, 0,
	    "x509/name, x509/fingerprint, x509/certvalid, anon", NULL, ok_authmode,
	    "x509/name", "transport_conf_t.tls.authmode", ANY_TLS, NULL, SETTING_TLS,
	    "how the collector is checked"),
	ROW(SET_TLS_PERMITTEDPEER, "tls.permittedpeer", NULL, SETTING_LIST, 0, 0,
	    "a name, address or SHA256 fingerprint", NULL, NULL, "target",
	    "transport_conf_t.tls.permittedpeers", ANY_TLS, NULL, SETTING_NONBLANK | SETTING_TLS,
	    "names or fingerprints the collector's certificate may carry"),
	ROW(SET_TLS_MINVERSION, "tls.minversion", NULL, SETTING_ENUM, 0, 0, "1.2, 1.3", NULL,
	    NULL, "1.2", "transport_conf_t.tls.minversion", "tls", NULL, 0, "lowest TLS version offered"),
	ROW(SET_FILTER, "filter", NULL, SETTING_LIST, 0, 0, "a rule (README: Filters)", NULL,
	    NULL, "none", "pipeline_conf_t.filter", NULL, NULL, SETTING_NONBLANK,
	    "event filter rule, in order, first match wins"),
	ROW(SET_FILTER_FILE, "filter.file", "filter-file", SETTING_TEXT, 0, 0, "a file", NULL,
	    NULL, "none", "pipeline_conf_t.filter", NULL, NULL, SETTING_NONBLANK,
	    "the filter rules in a file, one a line"),
	BOOL_ROW(SET_ATTACK, "attack", NULL, "on", "pipeline_conf_t.attack", NULL, 0,
	         "MITRE ATT&CK technique ids from rule keys"),
	ROW(SET_ATTACK_MAPPING, "attack.mapping", "attack-mapping", SETTING_TEXT, 0, 0,
	    "a file", NULL, NULL, "none", "pipeline_conf_t.attack_map", NULL, NULL,
	    SETTING_NONBLANK, "techniques, tactics and severities for rule keys"),
	BOOL_ROW(SET_ANCESTRY, "ancestry", NULL, "off", "pipeline_conf_t.ancestry", NULL, 0,
	         "each event's process ancestors"),
	ROW(SET_ANCESTRY_DEPTH, "ancestry.depth", "ancestry-depth", SETTING_INT, 1,
	    ANCESTRY_DEPTH_MAX, NULL, NULL, NULL, STR(ANCESTRY_DEFAULT_DEPTH),
	    "ancestry_conf_t.depth", NULL, NULL, 0, "ancestors per event at most"),
	ROW(SET_ANCESTRY_MAXPROCS, "ancestry.maxprocs", "ancestry-maxprocs", SETTING_INT, 1,
	    ANCESTRY_CAP_MAX, NULL, NULL, NULL, STR(ANCESTRY_DEFAULT_CAP), "ancestry_conf_t.cap",
	    NULL, NULL, 0, "processes kept"),
	BOOL_ROW(SET_RELP_TLS, "tls", NULL, "off", "transport_conf_t.relp.tls", "relp", 0,
	         "RELP over TLS"),
	ROW(SET_TLS_TLSLIB, "tls.tlsLib", NULL, SETTING_ENUM, 0, 0, "openssl, gnutls", NULL,
	    NULL, "librelp's", "transport_conf_t.relp.tlslib", "relp", NULL, SETTING_TLS,
	    "the TLS library librelp uses"),
	ROW(SET_RELP_TIMEOUT, "timeout", NULL, SETTING_INT, 1, INT_MAX, "seconds > 0", NULL,
	    NULL, STR(TRANSPORT_DEFAULT_RELP_TIMEOUT_S), "transport_conf_t.relp.timeout_s", "relp",
	    NULL, 0,
	    "longest wait for room in the window or an answer"),
	ROW(SET_RELP_CONN_TIMEOUT, "conn.timeout", NULL, SETTING_INT, 1, INT_MAX,
	    "seconds > 0", NULL, NULL, STR(TRANSPORT_DEFAULT_RELP_CONN_TIMEOUT_S),
	    "transport_conf_t.relp.conn_timeout_s", "relp", NULL, 0, "RELP connect timeout"),
	ROW(SET_WINDOW_SIZE, "windowSize", NULL, SETTING_INT, 1, INT_MAX, NULL, NULL, NULL,
	    "128 (librelp's)", "transport_conf_t.relp.window", "relp", NULL, 0,
	    "messages sent and not yet answered at most"),
	ROW(SET_REBIND_INTERVAL, "rebindInterval", NULL, SETTING_INT, 0, INT_MAX, NULL, NULL,
	    NULL, "0", "transport_conf_t.relp.rebind", "relp", NULL, 0, "a new session every N messages"),
	ROW(SET_CLI_HOST, "host", NULL, SETTING_TEXT, 0, 0, "a host name", NULL, NULL,
	    "gethostname", "pipeline_conf_t.local_host", NULL, NULL,
	    SETTING_CLI_ONLY | SETTING_NONBLANK, "this host's name"),
	ROW(SET_CLI_FILTER_CLOCK, "filter-clock", NULL, SETTING_ENUM, 0, 0, "audit, wall",
	    NULL, NULL, "audit", "pipeline_conf_t.filter_audit_clock", NULL, NULL,
	    SETTING_CLI_ONLY, "limit windows in the events' audit time or this host's clock"),
	BOOL_ROW(SET_CLI_ANCESTRY_PROC, "ancestry-proc", NULL, "off", "ancestry_conf_t.use_proc",
	         NULL, SETTING_CLI_ONLY, "read /proc for processes the input has not shown"),
	ROW(SET_CLI_DEADLETTER, "deadletter", NULL, SETTING_TEXT, 0, 0, "a file", NULL, NULL,
	    "none (module: in the work directory)", "transport_conf_t.deadletter", "kafka", NULL,
	    SETTING_CLI_ONLY | SETTING_NONBLANK, "messages Kafka refuses for good go to FILE"),
	ROW(SET_CLI_STATS, "stats", NULL, SETTING_BOOL, 0, 1, NULL, NULL, NULL, "off", "cli",
	    NULL, NULL, SETTING_CLI_ONLY | SETTING_NO_VALUE, "print counters to stderr at the end"),
};

const setting_t *settings_table(void)
{
	return table;
}
