/* test_settings.c -- the settings table and its checker: ranges that no
 * value wraps past, booleans, enums, sizes, ports, blank text, which
 * transports a setting applies to, and the table's own consistency. */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "settings.h"
#include "settings_store.h"

static int parse(const char *name, const char *text, long long *n)
{
	char err[SETTINGS_ERR_MAX];
	setting_value_t v;
	const setting_t *s = settings_find(name);

	cr_assert_not_null(s, "no setting %s", name);
	if (settings_parse(s, text, &v, err, sizeof(err)) != 0)
		return -1;
	if (n != NULL)
		*n = v.n;
	return 0;
}

Test(settings, table_rows_in_id_order_and_named_once)
{
	const setting_t *t = settings_table();
	size_t i, k;

	for (i = 0; i < SET_COUNT; i++) {
		cr_assert_eq(t[i].id, (setting_id_t)i, "row %zu (%s) out of order", i, t[i].name);
		cr_assert_not_null(t[i].help);
		cr_assert_not_null(t[i].dflt, "%s has no default text", t[i].name);
		for (k = 0; k < i; k++) {
			cr_assert_str_neq(t[i].name, t[k].name);
			if (t[k].alias != NULL)
				cr_assert_str_neq(t[i].name, t[k].alias);
		}
	}
}

Test(settings, int_ranges_do_not_wrap)
{
	long long n;

	cr_assert_eq(parse("timeout.io", "2147483647", &n), 0);
	cr_assert_eq(n, INT_MAX);
	cr_assert_eq(parse("timeout.io", "2147483648", NULL), -1);
	cr_assert_eq(parse("join.timeout", "4294967296", NULL), -1);
	cr_assert_eq(parse("join.timeout", "0", NULL), -1);
	cr_assert_eq(parse("join.timeout", "-1", NULL), -1);
	cr_assert_eq(parse("join.timeout", "99999999999999999999", NULL), -1);
	cr_assert_eq(parse("rebindInterval", "0", &n), 0);
	cr_assert_eq(parse("rebindInterval", "4294967296", NULL), -1);
	cr_assert_eq(parse("ancestry.depth", "16", &n), 0);
	cr_assert_eq(parse("ancestry.depth", "17", NULL), -1);
	cr_assert_eq(parse("windowSize", "12x", NULL), -1);
}

Test(settings, checked_numbers_name_the_range)
{
	char err[SETTINGS_ERR_MAX];

	cr_assert_eq(settings_check_number(settings_get(SET_TIMEOUT_IO), 2147483648LL, err,
	                                   sizeof(err)), -1);
	cr_assert(strstr(err, "2147483648") && strstr(err, "2147483647"), "%s", err);
	cr_assert_eq(settings_check_number(settings_get(SET_JOIN_TIMEOUT), 4294967296LL, err,
	                                   sizeof(err)), -1);
	cr_assert_eq(settings_check_number(settings_get(SET_JOIN_TIMEOUT), 2000, err,
	                                   sizeof(err)), 0);
}

Test(settings, sizes)
{
	long long n;

	cr_assert_eq(parse("resendWindow", "64m", &n), 0);
	cr_assert_eq(n, 64LL * 1024 * 1024);
	cr_assert_eq(parse("resendWindow", "65m", NULL), -1);
	cr_assert_eq(parse("resendWindow", "0", &n), 0);
	cr_assert_eq(parse("join.maxbytes", "1000", NULL), -1);
	cr_assert_eq(parse("join.maxbytes", "512k", &n), 0);
	cr_assert_eq(parse("join.maxbytes", "lots", NULL), -1);
	cr_assert_eq(parse("maxMessageSize", "0", &n), 0);   /* 0: no limit */
	cr_assert_eq(parse("maxMessageSize", "2047", NULL), -1);
	cr_assert_eq(parse("maxMessageSize", "1k", NULL), -1);
	cr_assert_eq(parse("maxMessageSize", "64K", &n), 0);
	cr_assert_eq(n, 64000);
	cr_assert_eq(parse("maxMessageSize", "99999999g", NULL), -1);
}

Test(settings, bools_enums_words_ports)
{
	long long n;

	cr_assert_eq(parse("join", "off", &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(parse("join", "on", &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(parse("join", "yes", NULL), -1);
	cr_assert_eq(parse("unparsed", "drop", NULL), 0);
	cr_assert_eq(parse("unparsed", "maybe", NULL), -1);
	cr_assert_eq(parse("compression", "zstd", NULL), 0);
	cr_assert_eq(parse("compression", "zst", NULL), -1);
	cr_assert_eq(parse("compression", "brotli", NULL), -1);
	cr_assert_eq(parse("transport", "relp", NULL), 0);
	cr_assert_eq(parse("transport", "carrier-pigeon", NULL), -1);
	cr_assert_eq(parse("syslog.header", "none", NULL), -1);   /* an action's */
	cr_assert_eq(parse("syslog.facility", "local3", NULL), 0);
	cr_assert_eq(parse("syslog.facility", "24", NULL), -1);
	cr_assert_eq(parse("tls.authmode", "fingerprint", NULL), 0);
	cr_assert_eq(parse("port", "65535", &n), 0);
	cr_assert_eq(n, 65535);
	cr_assert_eq(parse("port", "0", NULL), -1);
	cr_assert_eq(parse("port", "514x", NULL), -1);
	cr_assert_eq(parse("port", "-1", NULL), -1);
}

Test(settings, blank_text_refused_where_it_means_nothing)
{
	cr_assert_eq(parse("target", " ", NULL), -1);
	cr_assert_eq(parse("target", "", NULL), -1);
	cr_assert_eq(parse("statsname", "", NULL), -1);
	cr_assert_eq(parse("statsname", "a", NULL), 0);
	cr_assert_eq(parse("key", "", NULL), 0);   /* empty key: no key */
}

Test(settings, aliases_and_messages)
{
	char err[SETTINGS_ERR_MAX];
	setting_value_t v;

	cr_assert_eq(settings_find("syslog-header"), settings_get(SET_SYSLOG_HEADER));
	cr_assert_eq(settings_find("conf-param"), settings_get(SET_CONF_PARAM));
	cr_assert_null(settings_find("no.such"));
	cr_assert_eq(settings_parse(settings_get(SET_UNPARSED), "x", &v, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "invalid value 'x', expected one of: forward, drop");
}

Test(settings, transports_a_setting_applies_to)
{
	char tr[64];

	cr_assert(settings_applies(settings_get(SET_RESEND_WINDOW), "tls"));
	cr_assert_not(settings_applies(settings_get(SET_RESEND_WINDOW), "relp"));
	cr_assert_not(settings_applies(settings_get(SET_RELP_TLS), "tls"));
	cr_assert(settings_applies(settings_get(SET_TLS_CACERT), "relp"));
	cr_assert_not(settings_applies(settings_get(SET_TOPIC), "tcp"));
	cr_assert(settings_applies(settings_get(SET_FORMAT), "kafka"));
	settings_transports_text(settings_get(SET_RESEND_WINDOW), tr, sizeof(tr));
	cr_assert_str_eq(tr, "tcp, tls");
}

Test(settings, rsyslog_only_marked)
{
	cr_assert(settings_get(SET_TEMPLATE)->flags & SETTING_RSYSLOG_ONLY);
	cr_assert(settings_get(SET_STATSNAME)->flags & SETTING_RSYSLOG_ONLY);
	cr_assert(settings_get(SET_DYNA_TOPIC)->flags & SETTING_RSYSLOG_ONLY);
	cr_assert(settings_get(SET_DYNA_KEY)->flags & SETTING_RSYSLOG_ONLY);
	cr_assert_not(settings_get(SET_TLS_CACERT)->flags & SETTING_RSYSLOG_ONLY);
}

/* the "stored" column and settings_store agree: every row the column puts
 * in transport_conf_t is stored by the function of its kind, and stored
 * for real (the configuration changes); no other row is */
Test(settings, every_transport_row_is_stored_where_the_table_says)
{
	static const char *const list[] = { "a=b" };
	const setting_t *t = settings_table();
	transport_conf_t dflt, c;
	size_t i;

	transport_conf_default(&dflt);
	for (i = 0; i < SET_COUNT; i++) {
		setting_id_t id = t[i].id;
		const char *text = id == SET_FRAMING ? "lf" : id == SET_TLS_AUTHMODE ? "anon"
		                 : id == SET_PORT ? "7" : "x";
		int stored = 0;

		c = dflt;
		if (settings_store_number(&c, id, 12345) == 0)
			stored++;
		if (settings_store_text(&c, id, text) == 0)
			stored++;
		if (settings_store_list(&c, id, list, 1) == 0)
			stored++;
		cr_assert_eq(stored > 0, settings_in_transport(id), "%s: stored %d, column %s",
		             t[i].name, stored, t[i].stored);
		if (stored)
			cr_assert(memcmp(&c, &dflt, sizeof(c)) != 0, "%s: nothing changed", t[i].name);
	}
}

/* --help, --list-settings and the manual page write a row's values and
 * transports into buffers of SETTINGS_TEXT_MAX: none may be cut there (the
 * facility list once lost its end, "clock, local0 ... local7") */
Test(settings, every_rows_text_fits_uncut)
{
	const setting_t *t = settings_table();
	char type[SETTINGS_TEXT_MAX], tr[SETTINGS_TEXT_MAX];
	size_t i;

	for (i = 0; i < SET_COUNT; i++) {
		const char *allowed = settings_allowed(&t[i]);

		cr_assert(allowed == NULL || strlen(allowed) < sizeof(type) - 1,
		          "%s: values text too long", t[i].name);
		settings_transports_text(&t[i], tr, sizeof(tr));
		cr_assert_lt(strlen(tr), sizeof(tr) - 1, "%s: transports text too long", t[i].name);
		cr_assert_lt(strlen(settings_type_text(&t[i], type, sizeof(type))), sizeof(type) - 1);
	}
	cr_assert_not_null(strstr(settings_type_text(settings_find("syslog.facility"), type,
	                                             sizeof(type)), "local0 ... local7"));
}
