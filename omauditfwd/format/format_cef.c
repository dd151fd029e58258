/* format_cef.c -- the "cef" format: ArcSight's Common Event Format, one
 * message per event:
 *
 *   CEF:0|Linux|auditd|1.0|SYSCALL:execve|SYSCALL execve|3|rt=1700000000123 ...
 *
 * Header: Vendor|Product|Version (format_kv.h), SignatureID (the EventID of
 * format_kv.h), Name ("<type>[ <syscall or op>]"), Severity (0-10). In the
 * header '\' and '|' are escaped ("\\", "\|"); in extension values '\',
 * '=', LF and CR are ("\\", "\=", "\n", "\r"), so no value can end its
 * pair, start a key or end the message. Other control characters become a
 * space and bytes that are not valid UTF-8 become U+FFFD (CEF is UTF-8 and
 * has no escape for them); invisible format characters (bidi controls,
 * zero-width, ...: format_is_invisible()) become the text <U+XXXX>. Standard keys first (rt, dvchost, cat,
 * externalId, suser, duser, src, spt, dst, dpt, proto, act, outcome,
 * filePath, sproc, cs1Label/cs1 = the audit rule key), then every audit
 * field as a custom key (format_kv.h).
 */
#include <string.h>

#include "format_kv.h"

static const char utf8_replacement[] = "\xef\xbf\xbd";   /* U+FFFD */

/* '\' and the field's own special character as '\' + it; in extension
 * values LF and CR as "\n" and "\r"; other controls as spaces; invalid
 * UTF-8 as U+FFFD */
static void cef_put(buf_t *out, unsigned c)
{
	if (c == '\\' || c == '=' || c == '|') {
		char e[2] = { '\\', (char)c };
		buf_append(out, e, 2);
	} else if (c == '\n') {
		buf_append(out, "\\n", 2);
	} else if (c == '\r') {
		buf_append(out, "\\r", 2);
	} else if (c >= 0x80) {
		buf_append(out, utf8_replacement, 3);
	} else {
		buf_putc(out, ' ');
	}
}

/* an invisible format character (bidi control, zero-width, ...) as the
 * text <U+XXXX>: shown, without a backslash CEF readers would take for an
 * escape */
static void cef_put_invisible(buf_t *out, unsigned cp)
{
	buf_printf(out, "<U+%04X>", cp);
}

/* the header: LF and CR are special only as controls (spaces there) */
static void cef_header_put(buf_t *out, unsigned c)
{
	cef_put(out, c == '\n' || c == '\r' ? ' ' : c);
}

static const format_escaper_t cef_value_esc =
	FORMAT_ESCAPER('\\', '=', cef_put, cef_put_invisible);
static const format_escaper_t cef_header_esc =
	FORMAT_ESCAPER('\\', '|', cef_header_put, cef_put_invisible);

static void cef_value(const kv_out_t *o, const char *s, size_t len)
{
	if (!format_plain_short(o->out, s, len, cef_value_esc.look))
		format_escape(o->out, s, len, &cef_value_esc, -1);
}

static void cef_header_text(buf_t *out, const char *s, size_t len)
{
	format_escape(out, s, len, &cef_header_esc, -1);
}

static void cef_header_part(buf_t *out, const char *s, size_t len)
{
	cef_header_text(out, s, len);
	buf_putc(out, '|');
}

/* cs2Label=attack technique cs2=T1548.003,T1059
 * cs3Label=attack tactic cs3=privilege-escalation */
static void cef_attack(kv_out_t *o, const format_event_t *ev)
{
	char txt[KV_ATTACK_TEXT_MAX];
	size_t n;

	if ((n = kv_attack_text(ev, 0, txt, sizeof(txt))) > 0) {
		kv_pair(o, "cs2Label", "attack technique", 16);
		kv_pair(o, "cs2", txt, n);
	}
	if ((n = kv_attack_text(ev, 1, txt, sizeof(txt))) > 0) {
		kv_pair(o, "cs3Label", "attack tactic", 13);
		kv_pair(o, "cs3", txt, n);
	}
}

static void cef_event(buf_t *out, const format_event_t *ev)
{
	static const struct { kv_item_t it; const char *key; } items[] = {
		{ KV_USER, "suser" },
		{ KV_ACCOUNT, "duser" },
		{ KV_SRC, "src" },
		{ KV_SRC_PORT, "spt" },
		{ KV_DST, "dst" },
		{ KV_DST_PORT, "dpt" },
		{ KV_PROTO, "proto" },
		{ KV_ACTION, "act" },
		{ KV_OUTCOME, "outcome" },
		{ KV_RESOURCE, "filePath" },
		{ KV_EXE, "sproc" },
	};
	const audit_record_t *first = ev->recs[0];
	kv_summary_t s;
	kv_out_t o = { out, cef_value, ' ', '\0', 0, ev->reduce, NULL };
	audit_view_t v, type;
	char tmp[32];
	int64_t sec;
	unsigned msec;
	size_t i;

	kv_summarize(ev, &s);
	o.memo = &s.memo;
	buf_puts(out, "CEF:0|" FORMAT_KV_VENDOR "|" FORMAT_KV_PRODUCT "|" FORMAT_KV_VERSION "|");
	kv_event_id(out, ev, &s);   /* never a '|' or '\' */
	buf_putc(out, '|');
	type = kv_type_name(first, tmp, sizeof(tmp));
	cef_header_text(out, type.p, type.len);
	if (kv_item(ev, &s, KV_ACTION, &v)) {
		if (ev->reduce != NULL && v.len > ev->reduce->value_max) {
			v.len = ev->reduce->value_max;   /* reduced: cut, without a marker */
			ev->reduce->capped = 1;
		}
		buf_putc(out, ' ');
		cef_header_text(out, v.p, v.len);
	}
	buf_putc(out, '|');
	buf_put_uint(out, (unsigned)kv_severity(ev, &s));
	buf_putc(out, '|');

	kv_key(&o, "rt");
	format_event_time(ev, &sec, &msec);
	buf_put_uint(out, (unsigned long long)sec * 1000 + msec % 1000);
	if (ev->host.p != NULL)   /* enrich.hostname="off": none */
		kv_pair_view(&o, "dvchost", ev->host);
	kv_pair_type(&o, "cat", first);
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		if (kv_item(ev, &s, items[i].it, &v))
			kv_pair_view(&o, items[i].key, v);
	if (kv_item(ev, &s, KV_POLICY, &v)) {
		kv_pair(&o, "cs1Label", "rule key", 8);
		kv_pair_view(&o, "cs1", v);
	}
	if (ev->attack != NULL)
		cef_attack(&o, ev);
	kv_ancestry_pairs(&o, ev);
	kv_event_fields(&o, ev);
}

static void cef_unparsed(buf_t *out, const char *line, size_t len,
                         audit_parse_rc_t why, audit_view_t host)
{
	const char *reason = audit_parse_rc_str(why);
	kv_out_t o = { out, cef_value, ' ', '\0', 0, NULL, NULL };

	buf_puts(out, "CEF:0|" FORMAT_KV_VENDOR "|" FORMAT_KV_PRODUCT "|" FORMAT_KV_VERSION "|");
	cef_header_part(out, "UNPARSED", 8);
	cef_header_part(out, "UNPARSED", 8);
	cef_header_part(out, "3", 1);
	kv_pair_view(&o, "dvchost", host);
	kv_pair(&o, "cat", "UNPARSED", 8);
	kv_pair(&o, "reason", reason, strlen(reason));
	kv_pair(&o, "msg", line, len);
}

/* the audit.reduced.* keys after the last pair of OUT */
static void cef_reduced(buf_t *out, const format_conf_t *conf, const format_reduce_t *r)
{
	kv_out_t o = { out, cef_value, ' ', '\0', 1, NULL, NULL };   /* a separator first */

	(void)conf;
	kv_reduced_pairs(&o, r);
}

const format_ops_t format_cef = {
	.name = "cef",
	.event = cef_event,
	.unparsed = cef_unparsed,
	.reduced = cef_reduced,
};
