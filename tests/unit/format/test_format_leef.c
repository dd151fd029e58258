/* test_format_leef.c -- LEEF 2.0 / 1.0: the header QRadar maps by, the
 * predefined keys, the custom keys of every field, and that no value,
 * field name or header part can break the framing or forge a key. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "format_fixture.h"
#include "format_kv.h"

#define EXEC_EVENT \
	"node=web01 type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e syscall=59 " \
	"success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=1 pid=2 auid=1000 uid=0 " \
	"gid=0 euid=0 comm=\"sudo\" exe=\"/usr/bin/sudo\" key=\"priv_esc\"\n" \
	"node=web01 type=EXECVE msg=audit(1700000000.123:4567): argc=3 a0=\"sudo\" " \
	"a1=\"cat\" a2=\"/etc/shadow\"\n" \
	"node=web01 type=PATH msg=audit(1700000000.123:4567): item=0 " \
	"name=\"/usr/bin/sudo\" nametype=NORMAL\n" \
	"node=web01 type=PATH msg=audit(1700000000.123:4567): item=1 " \
	"name=\"/lib64/ld-linux-x86-64.so.2\" nametype=NORMAL"

static fixture_msg_t m;

static format_conf_t leef(int version, char delim)
{
	format_conf_t c;

	format_conf_default(&c);
	c.leef_version = version;
	c.leef_delim = delim;
	return c;
}

static void expect(const char *key, const char *val)
{
	const char *v = fixture_get(&m, key);

	cr_assert_not_null(v, "key %s missing", key);
	cr_assert_str_eq(v, val, "key %s", key);
}

Test(leef, v2_header_and_predefined_keys_of_an_execve_event)
{
	const char *out = fixture_run(&format_leef, NULL, 1, EXEC_EVENT);

	fixture_assert_prefix(out, "LEEF:2.0|Linux|auditd|1.0|SYSCALL:execve|x09|devTime=");
	fixture_leef_parse(out, 2, '\t', &m);
	expect("devTime", "2023-11-14T22:13:20.123Z");
	expect("devTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
	expect("cat", "SYSCALL");
	expect("sev", "3");
	expect("identHostName", "web01");
	expect("usrName", "1000");
	expect("resource", "/usr/bin/sudo");
	expect("policy", "priv_esc");
	expect("audit.id", "1700000000.123:4567");
	expect("audit.node", "web01");
	cr_assert_null(fixture_get(&m, "accountName"));
	cr_assert_null(fixture_get(&m, "src"));
}

Test(leef, every_field_is_a_custom_key_prefixed_by_its_record_type)
{
	fixture_leef_parse(fixture_run(&format_leef, NULL, 1, EXEC_EVENT), 2, '\t', &m);
	expect("SYSCALL.syscall", "59");
	expect("SYSCALL.SYSCALL", "execve");
	expect("SYSCALL.ARCH", "x86_64");
	expect("SYSCALL.uid", "0");
	expect("SYSCALL.uid", "0");
	cr_assert_null(fixture_get(&m, "SYSCALL.UID"), "ids are never resolved here");
	/* auid is the summary's user too: its interpretation, none here, is
	 * made once for both (kv_memo_t) */
	cr_assert_null(fixture_get(&m, "SYSCALL.AUID"), "ids are never resolved here");
	expect("SYSCALL.comm", "sudo");
	expect("EXECVE.argc", "3");
	expect("EXECVE.argv", "sudo cat /etc/shadow");
	cr_assert_null(fixture_get(&m, "EXECVE.a2"), "every argument byte once: in argv");
	/* a type that repeats: numbered from its second record on */
	expect("PATH.name", "/usr/bin/sudo");
	expect("PATH.2.name", "/lib64/ld-linux-x86-64.so.2");
	expect("PATH.2.item", "1");
}

Test(leef, without_enrichment_values_are_as_written_and_no_interpretations)
{
	const char *out = fixture_run(&format_leef, NULL, 0, EXEC_EVENT);

	fixture_assert_prefix(out, "LEEF:2.0|Linux|auditd|1.0|SYSCALL:59|x09|");
	fixture_leef_parse(out, 2, '\t', &m);
	expect("SYSCALL.syscall", "59");
	cr_assert_null(fixture_get(&m, "SYSCALL.SYSCALL"));
	cr_assert_null(fixture_get(&m, "EXECVE.argv"));
	expect("EXECVE.a2", "/etc/shadow");   /* the arguments as written */
}

Test(leef, v1_has_no_delimiter_field_and_separates_with_tab)
{
	format_conf_t c = leef(1, '^');   /* 1.0 ignores anything but TAB */
	const char *out = fixture_run(&format_leef, &c, 1, EXEC_EVENT);

	fixture_assert_prefix(out, "LEEF:1.0|Linux|auditd|1.0|SYSCALL:execve|devTime=");
	fixture_leef_parse(out, 1, '\t', &m);
	expect("cat", "SYSCALL");
	expect("PATH.2.name", "/lib64/ld-linux-x86-64.so.2");
}

Test(leef, v2_with_a_caret_delimiter_names_it_in_the_header)
{
	format_conf_t c = leef(2, '^');
	const char *out = fixture_run(&format_leef, &c, 1, EXEC_EVENT);

	fixture_assert_prefix(out, "LEEF:2.0|Linux|auditd|1.0|SYSCALL:execve|^|devTime=");
	cr_assert_null(strchr(out, '\t'));
	fixture_leef_parse(out, 2, '^', &m);
	expect("EXECVE.argv", "sudo cat /etc/shadow");
}

Test(leef, a_pipe_delimiter_is_written_as_hex_in_the_header)
{
	format_conf_t c = leef(2, '|');

	fixture_leef_parse(fixture_run(&format_leef, &c, 1, EXEC_EVENT), 2, '|', &m);
	expect("SYSCALL.exe", "/usr/bin/sudo");
}

static void hex(char *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02X", (unsigned char)s[i]);
}

/* A PATH name (hex on the wire, so any byte) holding VAL comes back
 * exactly, and the message has exactly the keys it would have without it */
static void value_round_trips(char delim, const char *val, size_t len)
{
	char line[1024], hx[512];
	format_conf_t c = leef(2, delim);
	const char *v;
	size_t i;

	hex(hx, val, len);
	snprintf(line, sizeof(line), "type=PATH msg=audit(1700000000.123:1): item=0 "
	         "name=%s nametype=NORMAL", hx);
	fixture_leef_parse(fixture_run(&format_leef, &c, 1, line), 2, delim, &m);
	v = fixture_get(&m, "PATH.name");
	cr_assert_not_null(v);
	cr_assert_eq(m.pair[0].vlen, strlen("2023-11-14T22:13:20.123Z"));
	for (i = 0; i < m.npairs; i++)
		if (strcmp(m.pair[i].key, "PATH.name") == 0)
			cr_assert(m.pair[i].vlen == len && memcmp(v, val, len) == 0,
			          "value did not survive (delimiter 0x%02x)", (unsigned char)delim);
	/* devTime devTimeFormat cat sev identHostName resource audit.id
	 * PATH.item PATH.name PATH.nametype */
	cr_assert_eq(m.npairs, 10, "a key was forged: %zu pairs", m.npairs);
}

Test(leef, each_dangerous_character_in_a_value_is_neutralised)
{
	static const char dangerous[] = { '^', '|', '=', '\r', '\n', '\t', '\\', '\x01',
	                                  '\x7f', ' ' };
	static const char delims[] = { '\t', '^', '|', ';' };
	char val[8];
	size_t i, d;

	for (d = 0; d < sizeof(delims); d++)
		for (i = 0; i < sizeof(dangerous); i++) {
			val[0] = 'a';
			val[1] = dangerous[i];
			val[2] = 'b';
			value_round_trips(delims[d], val, 3);
		}
}

Test(leef, a_value_cannot_forge_keys_or_end_the_message)
{
	static const char forge[] = "x\tusrName=root^sev=1|cat=X\ny=1\r\nLEEF:2.0|a|b|c|d|\\x09|";

	value_round_trips('\t', forge, sizeof(forge) - 1);
	value_round_trips('^', forge, sizeof(forge) - 1);
	cr_assert_null(strchr(fixture_run(&format_leef, NULL, 1,
	               "type=PATH msg=audit(1700000000.123:1): name=610A62"), '\n'));
}

Test(leef, invalid_utf8_is_written_as_hex_text_and_valid_utf8_kept)
{
	value_round_trips('\t', "caf\xc3\xa9 \xff\xfe", 8);
	cr_assert_not_null(strstr(fixture_run(&format_leef, NULL, 1,
	                   "type=PATH msg=audit(1700000000.123:1): name=636166C3A9FF"),
	                   "PATH.name=caf\xc3\xa9\\xff"));
}

/* bidi controls and other invisible format characters are shown as the
 * text \uXXXX, and the value still comes back exactly; the characters
 * next to them (U+2065, U+200A, U+E0080: not format characters) pass */
Test(leef, invisible_characters_are_shown_and_round_trip)
{
	static const char val[] = "exe\xe2\x80\xaegnp.\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e"
	                          "\xd8\x9c\xe2\x80\x8b\xef\xbb\xbf\xc2\xad\xf3\xa0\x80\x81"
	                          "\\u202e";
	const char *out;

	value_round_trips('\t', val, sizeof(val) - 1);
	value_round_trips('^', val, sizeof(val) - 1);
	out = fixture_run(&format_leef, NULL, 1, "type=PATH msg=audit(1700000000.123:1): "
	                "name=E280AE78E281A578E281B078E2808A78F3A08281");
	cr_assert_not_null(strstr(out, "PATH.name=\\u202ex\xe2\x81\xa5x\xe2\x81\xb0x"
	                             "\xe2\x80\x8ax\xf3\xa0\x82\x81"), "%s", out);
	out = fixture_run(&format_leef, NULL, 1, "type=PATH msg=audit(1700000000.123:1): "
	                "name=E281A9F3A081BF");
	cr_assert_not_null(strstr(out, "PATH.name=\\u2069\\U000e007f"), "%s", out);
}

Test(leef, dangerous_characters_in_a_field_name_become_underscores)
{
	static const char name[] = "we^ird|na=me\t\\x\r\n ";
	format_conf_t c = leef(2, '^');
	audit_record_t *r;
	size_t n;

	r = fixture_parse("type=PATH msg=audit(1700000000.123:1): item=0 name=/tmp", &n);
	r[0].fields[0].name.p = name;
	r[0].fields[0].name.len = sizeof(name) - 1;
	/* the parser's plain-name word was for the name it read ("item") */
	r[0].fields[0].flags &= ~AUDIT_FIELD_PLAIN_NAME;
	fixture_leef_parse(fixture_format(&format_leef, &c, 1), 2, '^', &m);
	expect("PATH.we_ird_na_me__x___", "0");
	expect("PATH.name", "/tmp");
}

/* Every byte value in a key: [A-Za-z0-9_.] as it is, any other '_' */
Test(leef, every_byte_of_a_field_name_maps_to_a_key_character)
{
	char name[3], want[32];
	const char *out;
	audit_record_t *r;
	size_t n;
	int c;

	for (c = 0; c < 256; c++) {
		int ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		         (c >= 'a' && c <= 'z') || c == '_' || c == '.';

		r = fixture_parse("type=PATH msg=audit(1700000000.123:1): item=0 name=/tmp", &n);
		name[0] = 'a';
		name[1] = (char)c;
		name[2] = 'b';
		r[0].fields[0].name.p = name;
		r[0].fields[0].name.len = 3;
		r[0].fields[0].flags &= ~AUDIT_FIELD_PLAIN_NAME;   /* not "item" now */
		out = fixture_format(&format_leef, NULL, 1);
		snprintf(want, sizeof(want), "PATH.a%cb=0", ok ? c : '_');
		cr_assert_not_null(strstr(out, want), "byte 0x%02x: %s", (unsigned)c, out);
	}
}

Test(leef, dangerous_characters_in_header_parts_become_underscores)
{
	static const char evil[] = "a|b\r\nc\td\\e^f=g";
	audit_record_t *r;
	const char *out;
	size_t n, i;

	/* the syscall name an ENRICHED record brings (after 0x1D) */
	r = fixture_parse("type=SYSCALL msg=audit(1700000000.123:1): arch=c000003e "
	                  "syscall=59 success=yes key=\"k\"\x1d" "ARCH=x86_64 SYSCALL=execve", &n);
	for (i = 0; i < r[0].nfields; i++)
		if (r[0].fields[i].name.len == 7 && memcmp(r[0].fields[i].name.p, "SYSCALL", 7) == 0) {
			r[0].fields[i].value.p = evil;
			r[0].fields[i].value.len = sizeof(evil) - 1;
		}
	out = fixture_format(&format_leef, NULL, 1);
	fixture_leef_parse(out, 2, '\t', &m);
	cr_assert_str_eq(m.hdr[4], "SYSCALL:a_b__c_d_e_f_g");
	expect("SYSCALL.SYSCALL", evil);
	out = fixture_format(&format_leef, NULL, 0);
	fixture_leef_parse(out, 2, '\t', &m);
	cr_assert_str_eq(m.hdr[4], "SYSCALL:a_b__c_d_e_f_g");
}

Test(leef, user_login_maps_account_source_and_failure)
{
	const char *out = fixture_run(&format_leef, NULL, 1,
		"type=USER_LOGIN msg=audit(1492896301.818:19955): pid=12635 uid=0 "
		"auid=4294967295 ses=4294967295 msg='op=login acct=28696E76616C6964207573657229 "
		"exe=\"/usr/sbin/sshd\" hostname=? addr=179.38.151.221 terminal=sshd res=failed'");

	fixture_assert_prefix(out, "LEEF:2.0|Linux|auditd|1.0|USER_LOGIN|x09|");
	fixture_leef_parse(out, 2, '\t', &m);
	expect("usrName", "(invalid user)");
	expect("accountName", "(invalid user)");
	expect("src", "179.38.151.221");
	expect("sev", "5");
	expect("USER_LOGIN.AUID", "unset");
	expect("USER_LOGIN.res", "failed");
}

Test(leef, connect_maps_the_peer_to_dst_and_netfilter_to_src_dst_proto)
{
	fixture_leef_parse(fixture_run(&format_leef, NULL, 1,
		"type=SYSCALL msg=audit(1700000001.500:4568): arch=c000003e syscall=42 "
		"success=no exit=-111 auid=4294967295 uid=0 key=\"net-out\"\n"
		"type=SOCKADDR msg=audit(1700000001.500:4568): "
		"saddr=02000050C0A800010000000000000000"), 2, '\t', &m);
	expect("dst", "192.168.0.1");
	expect("dstPort", "80");
	expect("usrName", "0");
	expect("sev", "5");
	cr_assert_null(fixture_get(&m, "src"));
	fixture_leef_parse(fixture_run(&format_leef, NULL, 1,
		"type=NETFILTER_PKT msg=audit(1700000002.000:9): mark=0x0 saddr=10.0.0.5 "
		"daddr=10.0.0.1 proto=6 sport=5432 dport=22"), 2, '\t', &m);
	expect("src", "10.0.0.5");
	expect("dst", "10.0.0.1");
	expect("srcPort", "5432");
	expect("dstPort", "22");
	expect("proto", "tcp");
}

Test(leef, unparsed_line_is_forwarded_flagged_and_intact)
{
	static const char line[] = "not audit\tusrName=x^sev=1 a=b \\ |\r\nend";
	format_conf_t c = leef(2, '^');

	fixture_leef_parse(fixture_unparsed(&format_leef, &c, line, sizeof(line) - 1), 2, '^', &m);
	cr_assert_str_eq(m.hdr[4], "UNPARSED");
	expect("audit.reason", "not-audit");
	expect("audit.raw", line);
	cr_assert_eq(m.npairs, 5);
}

Test(leef, delimiter_and_version_parameters)
{
	char d = 0;
	int v = 0;

	cr_assert_eq(format_leef_delim_parse("^", &d), 0);
	cr_assert_eq(d, '^');
	cr_assert_eq(format_leef_delim_parse("x09", &d), 0);
	cr_assert_eq(d, '\t');
	cr_assert_eq(format_leef_delim_parse("0x7C", &d), 0);
	cr_assert_eq(d, '|');
	cr_assert_eq(format_leef_delim_parse("|", &d), 0);
	cr_assert_eq(d, '|');
	cr_assert_eq(format_leef_delim_parse("\t", &d), 0);
	cr_assert_eq(d, '\t');
	/* letters, digits and key characters, '=', '\', space, controls, 8 bit */
	cr_assert_neq(format_leef_delim_parse("a", &d), 0);
	cr_assert_neq(format_leef_delim_parse("7", &d), 0);
	cr_assert_neq(format_leef_delim_parse("_", &d), 0);
	cr_assert_neq(format_leef_delim_parse(".", &d), 0);
	cr_assert_neq(format_leef_delim_parse("=", &d), 0);
	cr_assert_neq(format_leef_delim_parse("\\", &d), 0);
	cr_assert_neq(format_leef_delim_parse(" ", &d), 0);
	cr_assert_neq(format_leef_delim_parse("x0a", &d), 0);
	cr_assert_neq(format_leef_delim_parse("x0d", &d), 0);
	cr_assert_neq(format_leef_delim_parse("x00", &d), 0);
	cr_assert_neq(format_leef_delim_parse("xff", &d), 0);
	cr_assert_neq(format_leef_delim_parse("x", &d), 0);
	cr_assert_neq(format_leef_delim_parse("", &d), 0);
	cr_assert_neq(format_leef_delim_parse("^^", &d), 0);
	cr_assert_neq(format_leef_delim_parse("x0g", &d), 0);
	cr_assert_eq(format_leef_version_parse("2.0", &v), 0);
	cr_assert_eq(v, 2);
	cr_assert_eq(format_leef_version_parse("1.0", &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_neq(format_leef_version_parse("2", &v), 0);
	cr_assert_neq(format_leef_version_parse("3.0", &v), 0);
}

Test(leef, format_table_has_leef_cef_raw)
{
	cr_assert_eq(format_find("leef"), &format_leef);
	cr_assert_eq(format_find("cef"), &format_cef);
	cr_assert_eq(format_find("raw"), &format_raw);
	cr_assert_str_eq(format_names(), "json, leef, cef, raw");
}

/* The key=value walk reads a record's repeated names and its ENRICHED
 * names from the parser's index; a record parsed without one
 * (AUDIT_PARSE_NO_INDEX) is walked with a set of its own: the same
 * message either way, repeated names numbered, ENRICHED names not doubled. */
Test(leef, a_record_without_its_index_gives_the_same_message)
{
	static const char lines[] =
		"type=SYSCALL msg=audit(1700000000.123:9): arch=c000003e syscall=59 "
		"success=yes exit=0 ppid=1 pid=2 auid=1000 uid=0 gid=0 comm=\"x\" "
		"key=\"k\"\x1d" "ARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"root\"\n"
		"type=USER_ACCT msg=audit(1700000000.123:9): pid=3 uid=0 "
		"msg='op=x acct=\"bob\" uid=5 uid=6 res=success'\n"
		"type=PATH msg=audit(1700000000.123:9): item=0 name=\"/a\" name=\"/b\"";
	const format_ops_t *fmts[] = { &format_leef, &format_cef };
	static char indexed[1 << 14];
	size_t n, i, k;
	audit_record_t *recs;

	for (k = 0; k < 2; k++) {
		const char *out;

		fixture_parse(lines, &n);
		out = fixture_format(fmts[k], NULL, 1);
		cr_assert(strstr(out, "USER_ACCT.uid_3=6") != NULL, "%s", out);
		cr_assert(strstr(out, "PATH.name_2=/b") != NULL, "%s", out);
		cr_assert(strstr(out, "SYSCALL.UID_2") == NULL, "%s", out);
		cr_assert_lt(strlen(out), sizeof(indexed));
		strcpy(indexed, out);
		recs = fixture_parse(lines, &n);
		for (i = 0; i < n; i++) {
			audit_view_t l = recs[i].line;

			cr_assert_eq(audit_record_parse_opt(&recs[i], l.p, l.len, AUDIT_PARSE_NO_INDEX),
			             AUDIT_PARSE_OK);
			cr_assert_eq(recs[i].indexed, 0);
		}
		cr_assert_str_eq(fixture_format(fmts[k], NULL, 1), indexed);
	}
}

/* A record's number among its type is the same whether the event is
 * small (counted by hand) or large (counted in a set): PATH records
 * interleaved with CWD records, 3 and 30 of them */
Test(leef, records_are_numbered_by_type_in_small_and_large_events)
{
	static char ev[16384];
	size_t sizes[] = { 3, 30 }, s, k;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = 0;
		char key[48], val[32];

		n += (size_t)snprintf(ev + n, sizeof(ev) - n,
		                      "type=SYSCALL msg=audit(1700000000.123:4567): syscall=2 "
		                      "items=%zu\n", sizes[s]);
		for (k = 0; k < sizes[s]; k++) {
			n += (size_t)snprintf(ev + n, sizeof(ev) - n,
			                      "type=PATH msg=audit(1700000000.123:4567): item=%zu "
			                      "name=\"/p%zu\"\n", k, k);
			if (k % 3 == 0)
				n += (size_t)snprintf(ev + n, sizeof(ev) - n,
				                      "type=CWD msg=audit(1700000000.123:4567): "
				                      "cwd=\"/c%zu\"\n", k);
		}
		ev[n - 1] = '\0';
		fixture_leef_parse(fixture_run(&format_leef, NULL, 1, ev), 2, '\t', &m);
		expect("PATH.item", "0");
		expect("CWD.cwd", "/c0");
		for (k = 2; k <= sizes[s]; k++) {
			snprintf(key, sizeof(key), "PATH.%zu.item", k);
			snprintf(val, sizeof(val), "%zu", k - 1);
			expect(key, val);
		}
		for (k = 2; k <= (sizes[s] + 2) / 3; k++) {
			snprintf(key, sizeof(key), "CWD.%zu.cwd", k);
			snprintf(val, sizeof(val), "/c%zu", 3 * (k - 1));
			expect(key, val);
		}
		snprintf(key, sizeof(key), "PATH.%zu.item", sizes[s] + 1);
		cr_assert_null(fixture_get(&m, key));
		cr_assert_null(fixture_get(&m, "SYSCALL.2.syscall"));
	}
}
