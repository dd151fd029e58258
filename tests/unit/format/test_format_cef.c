/* test_format_cef.c -- CEF: header, standard keys, CEF's escapes, and that
 * no value can forge a key or end the message. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "format_fixture.h"

#define EXEC_EVENT \
	"node=web01 type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e syscall=59 " \
	"success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=2 auid=1000 uid=0 " \
	"gid=0 euid=0 comm=\"sudo\" exe=\"/usr/bin/sudo\" key=\"priv_esc\"\n" \
	"node=web01 type=PATH msg=audit(1700000000.123:4567): item=0 " \
	"name=\"/usr/bin/sudo\" nametype=NORMAL"

static fixture_msg_t m;

static void expect(const char *key, const char *val)
{
	const char *v = fixture_get(&m, key);

	cr_assert_not_null(v, "key %s missing", key);
	cr_assert_str_eq(v, val, "key %s", key);
}

Test(cef, header_and_standard_keys_of_an_execve_event)
{
	const char *out = fixture_run(&format_cef, NULL, 1, EXEC_EVENT);

	fixture_assert_prefix(out, "CEF:0|Linux|auditd|1.0|SYSCALL:execve|SYSCALL execve|3|"
	                     "rt=1700000000123 dvchost=web01 cat=SYSCALL suser=1000 act=execve "
	                     "outcome=success filePath=/usr/bin/sudo sproc=/usr/bin/sudo "
	                     "cs1Label=rule key cs1=priv_esc audit.id=1700000000.123:4567 ");
	fixture_cef_parse(out, &m);
	cr_assert_eq(m.nhdr, 7);
	expect("cs1Label", "rule key");
	expect("SYSCALL.SYSCALL", "execve");
	expect("SYSCALL.uid", "0");
	cr_assert_null(fixture_get(&m, "SYSCALL.UID"), "ids are never resolved here");
	/* auid is the summary's user too: its interpretation, none here, is
	 * made once for both (kv_memo_t) */
	cr_assert_null(fixture_get(&m, "SYSCALL.AUID"), "ids are never resolved here");
	expect("PATH.name", "/usr/bin/sudo");
	expect("audit.node", "web01");
}

Test(cef, extension_escapes)
{
	/* name = a=b\c<LF>d<CR>e|f */
	const char *out = fixture_run(&format_cef, NULL, 1,
		"type=PATH msg=audit(1700000000.123:1): name=613D625C630A640D657C66");

	cr_assert_not_null(strstr(out, " PATH.name=a\\=b\\\\c\\nd\\re|f"), "%s", out);
	cr_assert_null(strchr(out, '\n'));
	cr_assert_null(strchr(out, '\r'));
	fixture_cef_parse(out, &m);
	expect("PATH.name", "a=b\\c\nd\re|f");
}

static void hex(char *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02X", (unsigned char)s[i]);
}

Test(cef, a_value_cannot_forge_a_key)
{
	static const char forge[] = "x act=forged suser=root\\ cs1=y\\=z =lone";
	char line[512], hx[256];

	hex(hx, forge, sizeof(forge) - 1);
	snprintf(line, sizeof(line), "type=PATH msg=audit(1700000000.123:1): name=%s", hx);
	fixture_cef_parse(fixture_run(&format_cef, NULL, 1, line), &m);
	expect("PATH.name", forge);
	cr_assert_null(fixture_get(&m, "act"));
	cr_assert_null(fixture_get(&m, "suser"));
	cr_assert_null(fixture_get(&m, "cs1"));
	/* rt dvchost cat filePath audit.id PATH.name */
	cr_assert_eq(m.npairs, 6, "%zu pairs", m.npairs);
}

Test(cef, header_escapes_pipe_and_backslash)
{
	static const char evil[] = "ex|ec\\ve\r\n";
	audit_record_t *r;
	const char *out;
	size_t n, i;

	r = fixture_parse("type=SYSCALL msg=audit(1700000000.123:1): arch=c000003e "
	                  "syscall=59 success=no key=\"k\"\x1d" "ARCH=x86_64 SYSCALL=execve", &n);
	for (i = 0; i < r[0].nfields; i++)
		if (r[0].fields[i].name.len == 7 && memcmp(r[0].fields[i].name.p, "SYSCALL", 7) == 0) {
			r[0].fields[i].value.p = evil;
			r[0].fields[i].value.len = sizeof(evil) - 1;
		}
	out = fixture_format(&format_cef, NULL, 1);
	fixture_assert_prefix(out, "CEF:0|Linux|auditd|1.0|SYSCALL:ex_ec_ve__|"
	                     "SYSCALL ex\\|ec\\\\ve  |5|");
	fixture_cef_parse(out, &m);
	cr_assert_str_eq(m.hdr[5], "SYSCALL ex|ec\\ve  ");
	expect("act", evil);
	expect("outcome", "failure");
}

Test(cef, dangerous_characters_in_a_field_name_become_underscores)
{
	static const char name[] = "a=b c|d\\e\n";
	audit_record_t *r;
	size_t n;

	r = fixture_parse("type=PATH msg=audit(1700000000.123:1): item=0 name=/tmp", &n);
	r[0].fields[0].name.p = name;
	r[0].fields[0].name.len = sizeof(name) - 1;
	/* the parser's plain-name word was for the name it read ("item") */
	r[0].fields[0].flags &= ~AUDIT_FIELD_PLAIN_NAME;
	fixture_cef_parse(fixture_format(&format_cef, NULL, 1), &m);
	expect("PATH.a_b_c_d_e_", "0");
}

Test(cef, controls_become_spaces_and_invalid_utf8_the_replacement_character)
{
	const char *out = fixture_run(&format_cef, NULL, 1,
		"type=PATH msg=audit(1700000000.123:1): name=6109627FFF63C3A9");

	cr_assert_not_null(strstr(out, "PATH.name=a b \xef\xbf\xbd" "c\xc3\xa9"), "%s", out);
}

/* bidi controls and other invisible format characters are shown as the
 * text <U+XXXX>, in values and in the header; their neighbours pass */
Test(cef, invisible_characters_are_shown)
{
	const char *out = fixture_run(&format_cef, NULL, 1,
		"type=PATH msg=audit(1700000000.123:1): "
		"name=E280AE78E281A578E281A9E281B0E2808BE2808AEFBBBFC2ADF3A08081F3A081BFF3A08281");

	cr_assert_not_null(strstr(out, "PATH.name=<U+202E>x\xe2\x81\xa5x<U+2069>\xe2\x81\xb0"
	                               "<U+200B>\xe2\x80\x8a<U+FEFF><U+00AD><U+E0001><U+E007F>"
	                               "\xf3\xa0\x82\x81"), "%s", out);
	out = fixture_run(&format_cef, NULL, 1,
		"type=USER_CMD msg=audit(1700000000.123:1): pid=1 uid=0 msg='op=x\xe2\x80\xaey res=success'");
	cr_assert_not_null(strstr(out, "|USER_CMD x<U+202E>y|"), "%s", out);
}

Test(cef, user_login_maps_users_source_and_outcome)
{
	fixture_cef_parse(fixture_run(&format_cef, NULL, 1,
		"type=USER_LOGIN msg=audit(1492810797.778:12651): pid=11396 uid=0 auid=1001 "
		"ses=36 msg='op=login id=1001 exe=\"/usr/sbin/sshd\" hostname=72.83.230.100 "
		"addr=72.83.230.100 terminal=/dev/pts/1 res=success'"), &m);
	cr_assert_str_eq(m.hdr[4], "USER_LOGIN");
	cr_assert_str_eq(m.hdr[5], "USER_LOGIN login");
	cr_assert_str_eq(m.hdr[6], "3");
	expect("suser", "1001");
	expect("src", "72.83.230.100");
	expect("act", "login");
	expect("outcome", "success");
	expect("sproc", "/usr/sbin/sshd");
}

Test(cef, unparsed_line_is_forwarded_flagged_and_intact)
{
	static const char line[] = "not audit act=x | \\ =\r\nend";

	fixture_cef_parse(fixture_unparsed(&format_cef, NULL, line, sizeof(line) - 1), &m);
	cr_assert_str_eq(m.hdr[4], "UNPARSED");
	expect("reason", "not-audit");
	expect("msg", line);
	cr_assert_eq(m.npairs, 4);
}
