/* format_leef.c -- the "leef" format: IBM QRadar's Log Event Extended
 * Format, 2.0 (default) or 1.0, one message per event:
 *
 *   LEEF:2.0|Linux|auditd|1.0|SYSCALL:execve|x09|devTime=...<TAB>usrName=...
 *   LEEF:1.0|Linux|auditd|1.0|SYSCALL:execve|devTime=...<TAB>usrName=...
 *
 * Predefined keys first (devTime, devTimeFormat, cat, sev, identHostName,
 * usrName, accountName, src, srcPort, dst, dstPort, proto, resource,
 * policy), then every audit field as a custom key (format_kv.h).
 * LEEF has no escaping of its own, so values are made safe here: a
 * backslash is written "\\", '=' is "\=", and the delimiter, every control
 * character (CR, LF, TAB, ...), DEL and bytes that are not valid UTF-8 are
 * written as the text \xHH: a value can neither end its pair nor the
 * message. Invisible format characters (bidi controls, zero-width, ...:
 * format_is_invisible()) are written as the text \uXXXX. Header parts never contain '|' (format_kv.c keeps the EventID
 * to [A-Za-z0-9_:.[]-]).
 */
#include <stdio.h>
#include <string.h>

#include "format_kv.h"
#include "syslog_time.h"

/* Java SimpleDateFormat of devTime: what QRadar parses it with */
#define LEEF_DEVTIME_FORMAT "yyyy-MM-dd'T'HH:mm:ss.SSSX"

int format_leef_version_parse(const char *s, int *out)
{
	if (strcmp(s, "2.0") == 0)
		*out = 2;
	else if (strcmp(s, "1.0") == 0)
		*out = 1;
	else
		return -1;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int format_leef_delim_parse(const char *s, char *out)
{
	unsigned c;

	if (s[0] != '\0' && s[1] == '\0') {
		c = (unsigned char)s[0];
	} else {
		if (s[0] == '0' && s[1] == 'x')
			s++;
		if (s[0] != 'x' || strlen(s) != 3 || hexval(s[1]) < 0 || hexval(s[2]) < 0)
			return -1;
		c = (unsigned)(hexval(s[1]) * 16 + hexval(s[2]));
	}
	if ((c < 0x21 && c != '\t') || c >= 0x7F || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	    c == '=' || c == '\\')
		return -1;
	*out = (char)c;
	return 0;
}

/* '\' and '=' as "\\" and "\=", the delimiter, controls and bytes that are
 * not UTF-8 as \xHH */
static void leef_put(buf_t *out, unsigned c)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', hex[(c >> 4) & 15], hex[c & 15] };

	if (c == '\\' || c == '=') {
		e[1] = (char)c;
		buf_append(out, e, 2);
	} else {
		buf_append(out, e, 4);
	}
}

/* an invisible format character (bidi control, zero-width, ...) as the
 * text \uXXXX: shown, and told from the text "\uXXXX" (whose backslash is
 * "\\") */
static void leef_put_invisible(buf_t *out, unsigned cp)
{
	buf_putc(out, '\\');
	format_put_cp_name(out, cp);
}

/* a value, made safe as described at the top */
static void leef_value(const kv_out_t *o, const char *s, size_t len)
{
	static const format_escaper_t leef =
		FORMAT_ESCAPER('\\', '=', leef_put, leef_put_invisible);

	/* the delimiter is special: TAB (the default) is already, another
	 * one takes the long way */
	if (!leef.look[(unsigned char)o->delim] ||
	    !format_plain_short(o->out, s, len, leef.look))
		format_escape(o->out, s, len, &leef, (unsigned char)o->delim);
}

static char delim_of(const format_conf_t *c, int *version)
{
	format_conf_t dflt;

	if (c == NULL) {
		format_conf_default(&dflt);
		c = &dflt;
	}
	*version = c->leef_version == 1 ? 1 : 2;
	return *version == 1 ? '\t' : c->leef_delim;
}

/* LEEF:V|Vendor|Product|Version|EventID|[delimiter|] up to the EventID */
static void header_start(buf_t *out, int version)
{
	buf_puts(out, version == 1 ? "LEEF:1.0|" : "LEEF:2.0|");
	buf_puts(out, FORMAT_KV_VENDOR "|" FORMAT_KV_PRODUCT "|" FORMAT_KV_VERSION "|");
}

static void header_end(buf_t *out, int version, char delim)
{
	buf_putc(out, '|');
	if (version == 2) {
		/* as it is, but TAB and '|' (which would end the field) as xHH */
		if (delim == '\t' || delim == '|') {
			char hx[3] = { 'x', "0123456789abcdef"[(unsigned char)delim >> 4],
			               "0123456789abcdef"[delim & 15] };
			buf_append(out, hx, 3);
		} else
			buf_putc(out, delim);
		buf_putc(out, '|');
	}
}

/* attack.technique=T1548.003,T1059 attack.tactic=privilege-escalation */
static void leef_attack(kv_out_t *o, const format_event_t *ev)
{
	char txt[KV_ATTACK_TEXT_MAX];
	size_t n;

	if ((n = kv_attack_text(ev, 0, txt, sizeof(txt))) > 0)
		kv_pair(o, "attack.technique", txt, n);
	if ((n = kv_attack_text(ev, 1, txt, sizeof(txt))) > 0)
		kv_pair(o, "attack.tactic", txt, n);
}

static void leef_event(buf_t *out, const format_event_t *ev)
{
	static const struct { kv_item_t it; const char *key; } items[] = {
		{ KV_USER, "usrName" },
		{ KV_ACCOUNT, "accountName" },
		{ KV_SRC, "src" },
		{ KV_SRC_PORT, "srcPort" },
		{ KV_DST, "dst" },
		{ KV_DST_PORT, "dstPort" },
		{ KV_PROTO, "proto" },
		{ KV_RESOURCE, "resource" },
		{ KV_POLICY, "policy" },
	};
	const audit_record_t *first = ev->recs[0];
	kv_summary_t s;
	kv_out_t o;
	audit_view_t v;
	int64_t sec;
	unsigned msec;
	size_t i;
	int version;
	char sev[BUF_UINT_TEXT_MAX];

	o.out = out;
	o.value = leef_value;
	o.delim = o.sep = delim_of(ev->conf, &version);
	o.npairs = 0;
	o.reduce = ev->reduce;
	kv_summarize(ev, &s);
	o.memo = &s.memo;
	header_start(out, version);
	kv_event_id(out, ev, &s);
	header_end(out, version, o.delim);

	kv_key(&o, "devTime");                /* the text is safe as it is */
	format_event_time(ev, &sec, &msec);
	syslog_time_put_3339(out, sec, msec);
	kv_pair(&o, "devTimeFormat", LEEF_DEVTIME_FORMAT, strlen(LEEF_DEVTIME_FORMAT));
	if (ev->attack != NULL && ev->attack->ntech)   /* ATT&CK: the technique */
		kv_pair(&o, "cat", ev->attack->tech[0], strlen(ev->attack->tech[0]));
	else
		kv_pair_type(&o, "cat", first);
	kv_pair(&o, "sev", sev, buf_uint_text(sev, (unsigned)kv_severity(ev, &s)));   /* 1..10 */
	if (ev->host.p != NULL)   /* enrich.hostname="off": none */
		kv_pair_view(&o, "identHostName", ev->host);
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		if (kv_item(ev, &s, items[i].it, &v))
			kv_pair_view(&o, items[i].key, v);
	if (ev->attack != NULL)
		leef_attack(&o, ev);
	kv_ancestry_pairs(&o, ev);
	kv_event_fields(&o, ev);
}

static void leef_unparsed(buf_t *out, const format_conf_t *conf, const char *line,
                          size_t len, audit_parse_rc_t why, audit_view_t host)
{
	const char *reason = audit_parse_rc_str(why);
	kv_out_t o;
	int version;

	o.out = out;
	o.value = leef_value;
	o.delim = o.sep = delim_of(conf, &version);
	o.npairs = 0;
	o.reduce = NULL;   /* format_unparsed_reduced cut the line already */
	o.memo = NULL;
	header_start(out, version);
	buf_puts(out, "UNPARSED");
	header_end(out, version, o.delim);
	kv_pair(&o, "cat", "UNPARSED", 8);
	kv_pair(&o, "sev", "3", 1);
	kv_pair_view(&o, "identHostName", host);
	kv_pair(&o, "audit.reason", reason, strlen(reason));
	kv_pair(&o, "audit.raw", line, len);
}

/* the audit.reduced.* keys after the last pair of OUT */
static void leef_reduced(buf_t *out, const format_conf_t *conf, const format_reduce_t *r)
{
	kv_out_t o;
	int version;

	o.out = out;
	o.value = leef_value;
	o.delim = o.sep = delim_of(conf, &version);
	o.npairs = 1;   /* a separator first */
	o.reduce = NULL;
	o.memo = NULL;
	kv_reduced_pairs(&o, r);
}

const format_ops_t format_leef = {
	.name = "leef",
	.event = leef_event,
	.unparsed_conf = leef_unparsed,
	.reduced = leef_reduced,
};
