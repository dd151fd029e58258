/* audit_record.c -- one line of text in, one audit record out: finds the
 * record inside whatever wraps it (a syslog header, read by syslog_read.c;
 * a kmsg prefix), reads the type= / audit(SEC.MSEC:SERIAL) header and
 * splits the body into fields.
 *
 * Decisions a caller relies on (tests/unit/test_audit_record.c pins each):
 *  - Trailing CR/LF are stripped; any other byte < 0x20 except TAB, 0x01
 *    (rule-key joiner) and 0x1D (ENRICHED separator), and DEL (0x7F), make
 *    the line AUDIT_PARSE_BINARY. Bytes >= 0x80 are accepted.
 *  - The header ends at "):" or, as old auditd's DAEMON_* records have it,
 *    at ") "; the body starts after one following space.
 *  - A line is TRUNCATED only once "audit(" has been seen and the line ends
 *    inside the header, or when a quote or brace in the body is never
 *    closed. "type=" alone, "type=X msg=aud" and a header whose
 *    numbers are malformed or overflow (sec > INT64_MAX, serial >
 *    UINT64_MAX, more than 3 msec digits) are NOT_AUDIT: such a header is
 *    not one, and the search goes on for a later valid one.
 *  - msec takes 1 to 3 digits read as a decimal fraction: ".5" is 500 ms,
 *    ".05" is 50 ms, ".123" is 123 ms.
 *  - A BRACED value is the text between the braces with the blanks next
 *    to the braces trimmed: SADDR={ fam=inet } gives "fam=inet". It ends
 *    at the '}' that balances the '{' and ends a token, so a socket path
 *    with braces stays whole (see braced_close).
 *  - The ENRICHED "SADDR=unknown family" is one value of two words.
 *  - An unquoted value is HEX when it is an even number (>= 2) of
 *    [0-9A-F] and the field is one auditd/the kernel write as an untrusted
 *    string (auparse typetab.h's ESCAPED names, see is_escaped_field, plus
 *    every aN / aN[i] of an EXECVE record). saddr stays PLAIN: it is a
 *    binary sockaddr, not a string. "(null)" is NULL; the view is "(null)".
 *  - A name made of [A-Z0-9_-] with at least one letter is an interpreted
 *    (ENRICHED) field, as is every field after a 0x1D byte or, in the body,
 *    after its rsyslog-escaped form "#035".
 *  - A nested msg='... whose closing quote is missing runs to the end of
 *    the line and is accepted, as auparse accepts it; an unclosed " or {
 *    is still TRUNCATED.
 *  - Several rule keys in one hex key= value (joined by 0x01) are one key
 *    field each, in order, as auparse reads them: the hex is cut at every
 *    byte 01, so each piece is still a view into the line.
 *  - An unquoted "(null)" directly followed by an UPPERCASE name= (an
 *    ENRICHED record whose 0x1D was deleted on the way) ends at ")": the
 *    rest is the next field.
 *  - An AVC record's "avc:  denied  { read write } for ..." gives two
 *    fields first, as auparse has them: seresult ("denied") and seperms
 *    (the text between the braces, "read write"; their names are static
 *    strings, not views into the line).
 *  - Out of memory while growing the field array is AUDIT_PARSE_NOMEM.
 */
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <libaudit.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_record.h"
#include "syslog_read.h"

#define LIT_LEN(s) (sizeof(s) - 1)

#define FIELDS_INITIAL_CAP      32
#define INDEX_MIN_SLOTS         64   /* a power of two, 2 x FIELDS_INITIAL_CAP */
#define INDEX_HASH_SHIFT        33
#define INDEX_HASH_FMIX         0xFF51AFD7ED558CCDULL
_Static_assert(AUDIT_RECORD_MAX_FIELDS < UINT16_MAX, "index slots are 16 bits");
#define TYPE_NAME_MAX           64   /* libaudit's longest name is ~25 */
#define TYPE_NUMBER_DIGITS_MAX  9    /* fits an int */
#define MSEC_DIGITS_MAX         3
#define MSEC_PER_SEC            1000
#define DECIMAL_BASE            10
#define DECIMAL_SAFE_DIGITS     19     /* digits of any u64 below 10^19 */

#define ENRICHED_SEP            '\x1d' /* raw fields | interpreted fields */
#define ENRICHED_SEP_ESCAPED    "#035"  /* the same after rsyslog's default
                                         * escapeControlCharactersOnReceive */
#define RULE_KEY_SEP            '\x01' /* joins several rule keys */
#define FIRST_PRINTABLE         0x20
#define DEL_BYTE                0x7f

#define JOURNALD_TAG "audit"        /* journald's SYSLOG_IDENTIFIER */
#define JOURNALD_UNKNOWN "AUDIT"     /* systemd's name of an unknown type */
#define KEY_TYPE    "type="
#define KEY_NODE    "node="
#define HDR_MSG     "msg=audit("
#define HDR_KMSG    "audit("
#define TYPE_UNKNOWN "UNKNOWN["
#define VALUE_NULL  "(null)"
#define AVC_PREFIX  "avc:"
#define KEY_NAME    "key"
#define ENRICHED_SADDR "SADDR"
#define SADDR_UNKNOWN  "unknown"  /* "SADDR=unknown family" */
#define SADDR_FAMILY   "family"
#define HEX_RULE_KEY_SEP "01"  /* RULE_KEY_SEP as it looks hex encoded */

/* Header verdicts while looking for the record in a line. */
enum hdr_rc { HDR_OK, HDR_BAD, HDR_TRUNC };

/* ---- character classes ------------------------------------------------ */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_alnum(char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

/* Classes of the bytes the tokenizer looks at, in a table built at
 * compile time: one load per byte in the hot loops. */
#define CC_NAME_START 0x01  /* [A-Za-z0-9_]: may start a field name */
#define CC_NAME       0x02  /* [A-Za-z0-9_-[]]: may be in a field name */
#define CC_SEP        0x04  /* blank or 0x1D: ends a token */
#define CC_SQUOTE_END 0x08  /* ends a word inside msg='...' */
#define CC_UHEX       0x10  /* [0-9A-F] */
#define CC_HASH       0x20  /* '#': may start the escaped separator "#035" */

#define CC_IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define CC_IS_ALNUM(c) (CC_IS_DIGIT(c) || ((c) >= 'A' && (c) <= 'Z') || \
                        ((c) >= 'a' && (c) <= 'z'))
#define CC_START(c) (CC_IS_ALNUM(c) || (c) == '_')
/* (find_stop compares these bytes sixteen at a time: keep it in step) */
#define CC_SEPC(c)  ((c) == ' ' || (c) == '\t' || (c) == ENRICHED_SEP)
#define CC(c) \
	((CC_START(c) ? CC_NAME_START : 0) | \
	 (CC_START(c) || (c) == '-' || (c) == '[' || (c) == ']' ? \
	  CC_NAME : 0) | \
	 (CC_SEPC(c) ? CC_SEP | CC_SQUOTE_END : 0) | \
	 ((c) == '\'' ? CC_SQUOTE_END : 0) | \
	 (CC_IS_DIGIT(c) || ((c) >= 'A' && (c) <= 'F') ? CC_UHEX : 0) | \
	 ((c) == '#' ? CC_HASH : 0))
#define CC4(c)   CC(c), CC((c) + 1), CC((c) + 2), CC((c) + 3)
#define CC16(c)  CC4(c), CC4((c) + 4), CC4((c) + 8), CC4((c) + 12)
#define CC64(c)  CC16(c), CC16((c) + 16), CC16((c) + 32), CC16((c) + 48)

static const unsigned char char_class[256] = {
	CC64(0), CC64(64), CC64(128), CC64(192)
};

static int has_class(char c, unsigned cls)
{
	return (char_class[(unsigned char)c] & cls) != 0;
}

static int is_upper_hex(char c)
{
	return has_class(c, CC_UHEX);
}

/* A field name: starts with [A-Za-z0-9_], goes on with [A-Za-z0-9_-[]]. */
static int is_name_start(char c)
{
	return has_class(c, CC_NAME_START);
}

static int is_name_char(char c)
{
	return has_class(c, CC_NAME);
}

/* Ends a token: blank or the ENRICHED separator. */
static int is_sep(char c)
{
	return has_class(c, CC_SEP);
}

static int is_bad_byte(unsigned char c)
{
	if (c == DEL_BYTE)
		return 1;
	return c < FIRST_PRINTABLE && c != '\t' && c != RULE_KEY_SEP &&
	       c != ENRICHED_SEP;
}

/* Word-at-a-time test for any byte < 0x20 or == 0x7F; the few words that
 * hit (TAB, 0x01, 0x1D) are checked byte by byte. */
#define WORD_ONES  0x0101010101010101ULL
#define WORD_HIGHS 0x8080808080808080ULL

static int word_may_be_bad(uint64_t w)
{
	uint64_t lt = (w - WORD_ONES * FIRST_PRINTABLE) & ~w & WORD_HIGHS;
	uint64_t d = w ^ (WORD_ONES * DEL_BYTE);
	uint64_t del = (d - WORD_ONES) & ~d & WORD_HIGHS;

	return (lt | del) != 0;
}

static int has_binary(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, j;
	uint64_t w;

#ifdef __SSE2__
	/* sixteen bytes a round (x86-64 always has SSE2): a byte <= 0x1F is
	 * one whose unsigned minimum with 0x1F is itself */
	const __m128i low = _mm_set1_epi8(FIRST_PRINTABLE - 1);
	const __m128i del = _mm_set1_epi8((char)DEL_BYTE);

	for (; i + sizeof(__m128i) <= n; i += sizeof(__m128i)) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i hit = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, low), x),
		                           _mm_cmpeq_epi8(x, del));

		if (_mm_movemask_epi8(hit) == 0)
			continue;
		for (j = 0; j < sizeof(__m128i); j++)
			if (is_bad_byte(p[i + j]))
				return 1;
	}
#endif
	for (; i + sizeof(w) <= n; i += sizeof(w)) {
		memcpy(&w, p + i, sizeof(w));
		if (!word_may_be_bad(w))
			continue;
		for (j = 0; j < sizeof(w); j++)
			if (is_bad_byte(p[i + j]))
				return 1;
	}
	for (; i < n; i++)
		if (is_bad_byte(p[i]))
			return 1;
	return 0;
}

static int starts_with(const char *p, const char *end, const char *lit,
                       size_t lit_len)
{
	return (size_t)(end - p) >= lit_len && memcmp(p, lit, lit_len) == 0;
}

static audit_view_t view(const char *p, size_t len)
{
	audit_view_t v;

	v.p = p;
	v.len = len;
	return v;
}

/* ---- journald's form -------------------------------------------------- */

/* journald's message "TYPE body" at P: TYPE a libaudit name or systemd's
 * AUDITnnnn. Sets type_name, type, type_str, body; 0 if it is not one. */
static int journald_type(audit_record_t *r, const char *p, const char *end)
{
	const char *t = p;
	char buf[TYPE_NAME_MAX + 1];
	int type = 0;

	while (p < end && (is_upper(*p) || is_digit(*p) || *p == '_'))
		p++;
	if (p == t || p >= end || *p != ' ' || p - t > TYPE_NAME_MAX)
		return 0;
	memcpy(buf, t, (size_t)(p - t));
	buf[p - t] = '\0';
	if (strncmp(buf, JOURNALD_UNKNOWN, LIT_LEN(JOURNALD_UNKNOWN)) == 0 &&
	    buf[LIT_LEN(JOURNALD_UNKNOWN)] != '\0') {
		const char *d = buf + LIT_LEN(JOURNALD_UNKNOWN);

		for (; *d; d++) {
			if (!is_digit(*d) || d - buf >= (ptrdiff_t)(LIT_LEN(JOURNALD_UNKNOWN) +
			                                            TYPE_NUMBER_DIGITS_MAX))
				return 0;
			type = type * DECIMAL_BASE + (*d - '0');
		}
		if (type <= 0)
			return 0;
	} else if ((type = audit_name_to_msg_type(buf)) <= 0) {
		return 0;
	}
	r->type_name = view(t, (size_t)(p - t));
	r->type = type;
	r->type_str = audit_msg_type_to_name(type);
	r->body = view(p + 1, (size_t)(end - p - 1));
	return 1;
}

/* journald's form (see audit_record.h): the message at FROM starts with
 * the tag "audit[PID]: " or "audit: ", or the RFC 5424 APP-NAME is
 * "audit"; then a record type and the body. */
static int find_journald(audit_record_t *r, const char *line,
                         const char *from, const char *end)
{
	const char *p = from;

	if (starts_with(p, end, JOURNALD_TAG, LIT_LEN(JOURNALD_TAG))) {
		p += LIT_LEN(JOURNALD_TAG);
		if (p < end && *p == '[') {
			const char *d = ++p;

			while (p < end && is_digit(*p))
				p++;
			if (p == d || p >= end || *p != ']')
				return 0;
			p++;
		}
		if (!starts_with(p, end, ": ", 2))
			return 0;
		p += 2;
	} else if (syslog_read_app_is(line, end, JOURNALD_TAG,
	                              LIT_LEN(JOURNALD_TAG))) {
		while (p < end && *p == ' ')
			p++;
	} else {
		return 0;
	}
	if (!journald_type(r, p, end))
		return 0;
	r->text = view(p, (size_t)(end - p));
	/* no header time leaves the record at 0 */
	(void)syslog_read_time(line, end, time(NULL), &r->sec, &r->msec);
	return 1;
}

/* ---- record header ---------------------------------------------------- */

/* The digits that begin the eight bytes at P (all eight readable), K of
 * them (0-8): *V becomes *V * 10^K + their value; returns K. Eight bytes
 * in one word, little-endian (the first byte lowest): a byte is a digit
 * when its high nibble is 3 and stays 3 with 6 added (0x30-0x39); the
 * digits are moved to the word's top, below them zero bytes, and
 * combined in pairs, fours and eights with three multiplications. (A byte
 * of 0xFA or more carries into the next one when 6 is added: that byte
 * comes after a non-digit, so it is never counted.) */
#define SWAR_DIGITS 8
static inline __attribute__((always_inline, unused)) unsigned
swar_digits(const char *p, uint64_t *v)
{
	static const uint64_t pow10[SWAR_DIGITS + 1] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
	};
	const uint64_t nib = 0xF0F0F0F0F0F0F0F0ULL, threes = 0x3030303030303030ULL;
	uint64_t x, bad, d;
	unsigned k;

	memcpy(&x, p, sizeof(x));
	bad = ((x & nib) ^ threes) | (((x + 0x0606060606060606ULL) & nib) ^ threes);
	k = bad ? (unsigned)__builtin_ctzll(bad) / 8 : SWAR_DIGITS;
	if (k == 0)
		return 0;
	d = (x - threes) << (8 * (SWAR_DIGITS - k));   /* k digits on top */
	d = ((d * 10) + (d >> 8)) & 0x00FF00FF00FF00FFULL;
	d = ((d * 100) + (d >> 16)) & 0x0000FFFF0000FFFFULL;
	d = ((d * 10000) + (d >> 32)) & 0xFFFFFFFFULL;
	*v = *v * pow10[k] + d;
	return k;
}

/* Decimal digits at *PP into an unsigned 64-bit value no larger than MAX.
 * Returns HDR_TRUNC when the line ends inside the number (or before it),
 * HDR_BAD when there is no digit or the value exceeds MAX. */
static enum hdr_rc read_number(const char **pp, const char *end, uint64_t max,
                               uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	size_t n = 0;

	if (p >= end)
		return HDR_TRUNC;
	if (!is_digit(*p))
		return HDR_BAD;
	/* 19 digits cannot overflow: checked once after them (the value only
	 * grows, so a prefix above MAX means a number above it); the first
	 * sixteen are read eight at a time when eight bytes are there */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (n + SWAR_DIGITS <= 2 * SWAR_DIGITS && end - p >= SWAR_DIGITS) {
		unsigned k = swar_digits(p, &v);

		p += k;
		n += k;
		if (k < SWAR_DIGITS)
			break;
	}
#endif
	for (; n < DECIMAL_SAFE_DIGITS && p < end && is_digit(*p); p++, n++)
		v = v * DECIMAL_BASE + (unsigned)(*p - '0');
	if (v > max)
		return HDR_BAD;
	for (; p < end && is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		/* overflow checks without a division per digit */
		if (__builtin_mul_overflow(v, (uint64_t)DECIMAL_BASE, &v) ||
		    __builtin_add_overflow(v, (uint64_t)d, &v) || v > max)
			return HDR_BAD;
	}
	*pp = p;
	*out = v;
	return p < end ? HDR_OK : HDR_TRUNC;
}

/* The 1-3 msec digits, read as a decimal fraction. */
static enum hdr_rc read_msec(const char **pp, const char *end, unsigned *out)
{
	const char *p = *pp;
	const char *d = p;
	unsigned v = 0, scale = MSEC_PER_SEC;

	for (; p < end && is_digit(*p); p++) {
		if (p - d == MSEC_DIGITS_MAX)
			return HDR_BAD;
		v = v * DECIMAL_BASE + (unsigned)(*p - '0');
		scale /= DECIMAL_BASE;
	}
	if (p >= end)
		return HDR_TRUNC;
	if (p == d)
		return HDR_BAD;
	*pp = p;
	*out = v * scale;
	return HDR_OK;
}

/* Past the expected byte C, or a verdict: TRUNC at the end, BAD if not C. */
static enum hdr_rc expect(const char **pp, const char *end, char c)
{
	if (*pp >= end)
		return HDR_TRUNC;
	if (**pp != c)
		return HDR_BAD;
	(*pp)++;
	return HDR_OK;
}

#define TRY_HDR(expr) do { enum hdr_rc rc_ = (expr); \
	if (rc_ != HDR_OK) return rc_; } while (0)

/* "SEC.MSEC:SERIAL):" (or "...) " without the colon) at *PP, into R;
 * *PP ends past the ':'. */
static enum hdr_rc read_stamp(audit_record_t *r, const char **pp,
                              const char *end)
{
	uint64_t sec, serial;

	TRY_HDR(read_number(pp, end, (uint64_t)INT64_MAX, &sec));
	TRY_HDR(expect(pp, end, '.'));
	TRY_HDR(read_msec(pp, end, &r->msec));
	TRY_HDR(expect(pp, end, ':'));
	TRY_HDR(read_number(pp, end, UINT64_MAX, &serial));
	TRY_HDR(expect(pp, end, ')'));
	if (*pp >= end)
		return HDR_TRUNC;
	/* old auditd wrote its DAEMON_* records without the ':' */
	if (**pp != ' ')
		TRY_HDR(expect(pp, end, ':'));
	r->sec = (int64_t)sec;
	r->serial = serial;
	return HDR_OK;
}

/* The value of type=: a name ([A-Za-z0-9_]), a number, or UNKNOWN[n].
 * Returns its end, or NULL when it is none of these. */
static const char *scan_type(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && (is_alnum(*p) || *p == '_'))
		p++;
	if (p < end && *p == '[') {
		if (p - s != (ptrdiff_t)LIT_LEN(TYPE_UNKNOWN) - 1 ||
		    memcmp(s, TYPE_UNKNOWN, LIT_LEN(TYPE_UNKNOWN) - 1) != 0)
			return NULL;
		for (p++; p < end && is_digit(*p); p++)
			;
		if (p >= end || *p != ']')
			return NULL;
		p++;
	}
	if (p == s || p - s > TYPE_NAME_MAX)
		return NULL;
	return p;
}

/* At T, "type=": the header up to the start of the body. */
static enum hdr_rc parse_header(audit_record_t *r, const char *t,
                                const char *end)
{
	const char *p = t + LIT_LEN(KEY_TYPE);
	const char *te = scan_type(p, end);

	if (te == NULL || te >= end || *te != ' ')
		return HDR_BAD;
	r->type_name = view(p, (size_t)(te - p));
	p = te;
	while (p < end && *p == ' ')
		p++;
	if (starts_with(p, end, HDR_MSG, LIT_LEN(HDR_MSG)))
		p += LIT_LEN(HDR_MSG);
	else if (starts_with(p, end, HDR_KMSG, LIT_LEN(HDR_KMSG)))
		p += LIT_LEN(HDR_KMSG);
	else
		return HDR_BAD;
	TRY_HDR(read_stamp(r, &p, end));
	if (p < end && *p == ' ')
		p++;
	r->body = view(p, (size_t)(end - p));
	return HDR_OK;
}

/* A node=NAME token right before T (blanks between), searched no further
 * back than FROM; sets r->node and returns where the record starts. */
static const char *take_node(audit_record_t *r, const char *from,
                             const char *t)
{
	const char *e = t, *b;

	while (e > from && is_blank(e[-1]))
		e--;
	if (e == t)
		return t;
	for (b = e; b > from && !is_blank(b[-1]); b--)
		;
	if (e - b < (ptrdiff_t)LIT_LEN(KEY_NODE) ||
	    memcmp(b, KEY_NODE, LIT_LEN(KEY_NODE)) != 0)
		return t;
	r->node = view(b + LIT_LEN(KEY_NODE),
	               (size_t)(e - b) - LIT_LEN(KEY_NODE));
	return b;
}

/* The first "type=" at a token boundary (FROM, where the message starts,
 * is one), at or after FROM, that opens a valid header. */
static audit_parse_rc_t find_record(audit_record_t *r, const char *from,
                                    const char *end)
{
	const char *p = from;
	int truncated = 0;

	while ((size_t)(end - p) >= LIT_LEN(KEY_TYPE)) {
		size_t room = (size_t)(end - p) - (LIT_LEN(KEY_TYPE) - 1);
		const char *t = memchr(p, KEY_TYPE[0], room);
		enum hdr_rc h;

		if (t == NULL)
			break;
		p = t + 1;
		if (memcmp(t, KEY_TYPE, LIT_LEN(KEY_TYPE)) != 0 ||
		    (t > from && !is_blank(t[-1])))
			continue;
		h = parse_header(r, t, end);
		if (h == HDR_TRUNC)
			truncated = 1;
		if (h != HDR_OK)
			continue;
		r->text.p = take_node(r, from, t);
		r->text.len = (size_t)(end - r->text.p);
		return AUDIT_PARSE_OK;
	}
	return truncated ? AUDIT_PARSE_TRUNCATED : AUDIT_PARSE_NOT_AUDIT;
}

/* The most frequent record types by name, ahead of libaudit's look-up
 * (a string search per record): 80 % of a typical stream. */
#define TYPE(name, t) { name, LIT_LEN(name), t }
static const struct frequent_type {
	const char *name;
	size_t len;
	int type;
} frequent_types[] = {
	TYPE("SYSCALL", AUDIT_SYSCALL), TYPE("PATH", AUDIT_PATH),
	TYPE("EOE", AUDIT_EOE), TYPE("CWD", AUDIT_CWD),
	TYPE("EXECVE", AUDIT_EXECVE), TYPE("PROCTITLE", AUDIT_PROCTITLE),
	TYPE("SOCKADDR", AUDIT_SOCKADDR),
};
#undef TYPE

/* The type of the NUL-terminated NAME (LEN bytes), or <= 0. */
static int name_to_type(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(frequent_types) / sizeof(frequent_types[0]); i++)
		if (frequent_types[i].len == len &&
		    memcmp(frequent_types[i].name, name, len) == 0)
			return frequent_types[i].type;
	return audit_name_to_msg_type(name);
}

/* Every type name libaudit knows, with what name_to_type and
 * audit_msg_type_to_name give for it: its number and its stable name. The
 * table is made once by asking them, so a name found in it resolves as it
 * would without it; a name not found (unknown, or not byte for byte one of
 * these) is looked up as before. Open addressing on the name's first
 * sixteen bytes (zero-padded) and its length. */
#define TYPE_TABLE_SLOTS   1024    /* a power of two; libaudit names about 200 */
#define TYPE_NUMBER_LAST   2999    /* AUDIT_LAST_USER_MSG2, the highest */
#define TYPE_KEY_BYTES     16
typedef struct type_entry {
	uint64_t k0, k1;
	const char *name;              /* NULL: a free slot */
	size_t len;
	int type;
	const char *str;
} type_entry_t;
static type_entry_t type_table[TYPE_TABLE_SLOTS];
static pthread_once_t type_table_once = PTHREAD_ONCE_INIT;

static void type_key(const char *p, size_t len, uint64_t *k0, uint64_t *k1)
{
	char b[TYPE_KEY_BYTES] = { 0 };

	memcpy(b, p, len < TYPE_KEY_BYTES ? len : TYPE_KEY_BYTES);
	memcpy(k0, b, sizeof(*k0));
	memcpy(k1, b + sizeof(*k0), sizeof(*k1));
}

static size_t type_slot(uint64_t k0, uint64_t k1, size_t len)
{
	uint64_t h = ((k0 * AUDIT_NAME_HASH_MULT) ^ k1 ^ len) * INDEX_HASH_FMIX;

	return (size_t)(h >> 32) & (TYPE_TABLE_SLOTS - 1);
}

static const type_entry_t *type_find(const char *p, size_t len)
{
	uint64_t k0, k1;
	size_t i;

	type_key(p, len, &k0, &k1);
	for (i = type_slot(k0, k1, len); type_table[i].name != NULL;
	     i = (i + 1) & (TYPE_TABLE_SLOTS - 1)) {
		const type_entry_t *e = &type_table[i];

		if (e->k0 == k0 && e->k1 == k1 && e->len == len &&
		    (len <= TYPE_KEY_BYTES ||
		     memcmp(e->name + TYPE_KEY_BYTES, p + TYPE_KEY_BYTES, len - TYPE_KEY_BYTES) == 0))
			return e;
	}
	return NULL;
}

static void type_table_build(void)
{
	size_t n = 0, len, i;
	uint64_t k0, k1;
	int t, type;

	for (t = 1; t <= TYPE_NUMBER_LAST; t++) {
		const char *name = audit_msg_type_to_name(t);
		type_entry_t *e;

		if (name == NULL || (len = strlen(name)) == 0 || len > TYPE_NAME_MAX ||
		    type_find(name, len) != NULL || (type = name_to_type(name, len)) <= 0)
			continue;
		if (++n > TYPE_TABLE_SLOTS / 2)   /* never in practice: stay sparse */
			return;
		type_key(name, len, &k0, &k1);
		for (i = type_slot(k0, k1, len); type_table[i].name != NULL;
		     i = (i + 1) & (TYPE_TABLE_SLOTS - 1))
			;
		e = &type_table[i];
		e->k0 = k0;
		e->k1 = k1;
		e->len = len;
		e->type = type;
		e->str = audit_msg_type_to_name(type);
		e->name = name;
	}
}

/* r->type and r->type_str from r->type_name: two libaudit lookups at most
 * (name -> number, number -> its stable name), none for a name in the
 * table. */
static void resolve_type(audit_record_t *r)
{
	const char *s = r->type_name.p;
	size_t len = r->type_name.len;
	char buf[TYPE_NAME_MAX + 1];
	size_t i, digits = len;
	int type = 0;

	if (len > LIT_LEN(TYPE_UNKNOWN) &&
	    memcmp(s, TYPE_UNKNOWN, LIT_LEN(TYPE_UNKNOWN)) == 0) {
		s += LIT_LEN(TYPE_UNKNOWN);
		digits = len - LIT_LEN(TYPE_UNKNOWN) - 1;  /* without ']' */
	}
	for (i = 0; i < digits && is_digit(s[i]); i++)
		;
	if (i == digits && digits > 0) {
		if (digits > TYPE_NUMBER_DIGITS_MAX)
			return;
		for (i = 0; i < digits; i++)
			type = type * DECIMAL_BASE + (s[i] - '0');
	} else {
		const type_entry_t *e;

		(void)pthread_once(&type_table_once, type_table_build);
		if ((e = type_find(r->type_name.p, len)) != NULL) {
			r->type = e->type;
			r->type_str = e->str;
			return;
		}
		memcpy(buf, r->type_name.p, len);
		buf[len] = '\0';
		type = name_to_type(buf, len);
		if (type <= 0)
			return;
	}
	r->type = type;
	r->type_str = audit_msg_type_to_name(type);
}

/* ---- fields ----------------------------------------------------------- */

/* The key of the name at P (LEN bytes) that lies in [P, END): one load
 * when 8 bytes are there to read. */
static uint64_t name_key(const char *p, size_t len, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t k;

	if (end - p >= AUDIT_NAME_KEY_BYTES) {
		memcpy(&k, p, sizeof(k));
		if (len < AUDIT_NAME_KEY_BYTES)
			k &= ((uint64_t)1 << (8 * len)) - 1;
		return k;
	}
#else
	(void)end;
#endif
	return audit_name_key(p, len);
}

/* Where the name (P, LEN, KEY) starts looking in R's index: a hash of
 * every byte of the name, seeded with R's own seed (an address, unknown to
 * whoever wrote the line), so that names written to collide -- the same
 * first 8 bytes, or the same unseeded audit_name_hash -- do not, and a
 * record of 4,000 such names costs what an ordinary one does.
 * (audit_name_hash stays unseeded: it indexes tables of known names.) */
static size_t index_hash(const audit_record_t *r, const char *p, size_t len, uint64_t key)
{
	uint64_t h = (r->index_seed ^ key ^ len) * AUDIT_NAME_HASH_MULT;
	size_t i;

	for (i = AUDIT_NAME_KEY_BYTES; i < len; i += AUDIT_NAME_KEY_BYTES) {
		uint64_t w = 0;
		size_t n = len - i < AUDIT_NAME_KEY_BYTES ? len - i : AUDIT_NAME_KEY_BYTES;

		memcpy(&w, p + i, n);
		h = (h ^ w) * AUDIT_NAME_HASH_MULT;
		h ^= h >> INDEX_HASH_SHIFT;
	}
	h ^= h >> INDEX_HASH_SHIFT;        /* murmur3's finalizer */
	h *= INDEX_HASH_FMIX;
	h ^= h >> INDEX_HASH_SHIFT;
	return (size_t)h;
}

/* Two names of LEN bytes whose keys (their first AUDIT_NAME_KEY_BYTES)
 * are equal: are the bytes after those equal too? A byte loop for a tail
 * of up to 8 bytes (most long names: proctitle, old-auid-ses...), where
 * a call of memcmp costs more than the compare. */
static inline __attribute__((always_inline)) int same_tail(const char *a, const char *b,
                                                          size_t len)
{
	size_t i;

	if (len <= AUDIT_NAME_KEY_BYTES)
		return 1;
	if (len > 2 * AUDIT_NAME_KEY_BYTES)
		return memcmp(a + AUDIT_NAME_KEY_BYTES, b + AUDIT_NAME_KEY_BYTES,
		              len - AUDIT_NAME_KEY_BYTES) == 0;
	for (i = AUDIT_NAME_KEY_BYTES; i < len; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The slot of the name (P, LEN, KEY) in R's index: the slot holding it,
 * or the empty slot where it would go. */
static audit_name_slot_t *index_slot(const audit_record_t *r, const char *p,
                                     size_t len, uint64_t key)
{
	size_t i = index_hash(r, p, len, key) & r->index_mask;

	for (;; i = (i + 1) & r->index_mask) {
		audit_name_slot_t *s = &r->index[i];
		const audit_field_t *f;

		if (r->work != NULL)
			(*r->work)++;
		if (s->first == 0)
			return s;
		f = &r->fields[s->first - 1];
		if (f->key == key && f->name.len == len &&
		    same_tail(f->name.p, p, len))
			return s;
	}
}

/* index_slot where most names end: a name of at most 8 bytes (its key
 * is all of it) whose first slot is free or holds it, inline; the rest
 * (a probe further, a longer name) calls index_slot. */
static inline __attribute__((always_inline)) audit_name_slot_t *
index_slot_short(const audit_record_t *r, const char *p, size_t len, uint64_t key)
{
	if (len <= AUDIT_NAME_KEY_BYTES && r->work == NULL) {
		uint64_t h = (r->index_seed ^ key ^ len) * AUDIT_NAME_HASH_MULT;
		audit_name_slot_t *s;

		h ^= h >> INDEX_HASH_SHIFT;   /* index_hash's finalizer */
		h *= INDEX_HASH_FMIX;
		h ^= h >> INDEX_HASH_SHIFT;
		s = &r->index[(size_t)h & r->index_mask];
		if (s->first == 0 || (r->fields[s->first - 1].key == key &&
		                      r->fields[s->first - 1].name.len == len))
			return s;
	}
	return index_slot(r, p, len, key);
}

/* Enter field I into the index (it holds every earlier field): its nth. */
static inline __attribute__((always_inline)) void index_add(audit_record_t *r, size_t i)
{
	audit_field_t *f = &r->fields[i];
	audit_name_slot_t *s = index_slot_short(r, f->name.p, f->name.len, f->key);

	if (s->first == 0) {
		s->first = (uint16_t)(i + 1);
		s->count = 0;
	}
	f->nth = ++s->count;
}

/* An index of at least SLOTS slots (a power of two), holding the fields
 * so far. Returns 0 or -1 when memory ran out. */
static int index_resize(audit_record_t *r, size_t slots)
{
	size_t i;

	if (slots > r->index_cap) {
		audit_name_slot_t *ni = realloc(r->index, slots * sizeof(*ni));

		if (ni == NULL)
			return -1;
		r->index = ni;
		r->index_cap = slots;
	}
	r->index_mask = slots - 1;
	memset(r->index, 0, slots * sizeof(*r->index));
	for (i = 0; i < r->nfields; i++)
		index_add(r, i);
	return 0;
}

/* Forced inline: a call per field cost more than the copies of it (about
 * 20 instructions of saved registers for some 90 of work) */
static inline __attribute__((always_inline)) audit_parse_rc_t
add_field(audit_record_t *r, audit_view_t name, audit_view_t value, audit_enc_t enc,
          unsigned flags)
{
	audit_field_t *f;

	/* at most half the slots used, so a probe ends soon */
	if (r->indexed && 2 * (r->nfields + 1) > r->index_mask + 1 &&
	    index_resize(r, r->index == NULL ? INDEX_MIN_SLOTS
	                                     : 2 * (r->index_mask + 1)) != 0)
		return AUDIT_PARSE_NOMEM;

	if (r->nfields == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : FIELDS_INITIAL_CAP;
		audit_field_t *nf;

		if (r->cap >= AUDIT_RECORD_MAX_FIELDS)
			return AUDIT_PARSE_TOO_MANY_FIELDS;
		if (cap > AUDIT_RECORD_MAX_FIELDS)
			cap = AUDIT_RECORD_MAX_FIELDS;
		nf = realloc(r->fields, cap * sizeof(*nf));
		if (nf == NULL)
			return AUDIT_PARSE_NOMEM;
		r->fields = nf;
		r->cap = cap;
	}
	f = &r->fields[r->nfields++];
	f->name = name;
	f->value = value;
	f->enc = enc;
	f->flags = flags;
	if (r->indexed) {
		/* a name is in the line, or one of the static names of AVC */
		uintptr_t a = (uintptr_t)name.p, l = (uintptr_t)r->line.p;

		f->key = a >= l && a - l < r->line.len ?
		         name_key(name.p, name.len, r->line.p + r->line.len) :
		         audit_name_key(name.p, name.len);
		f->hash = audit_name_hash_key(f->key, name.len);
		index_add(r, r->nfields - 1);
	}
	if (flags & AUDIT_FIELD_INTERPRETED)
		r->enriched = 1;
	/* every name an upper-cased name can equal: none starts in lower case */
	if ((flags & AUDIT_FIELD_INTERPRETED) || name.len == 0 ||
	    !(name.p[0] >= 'a' && name.p[0] <= 'z'))
		r->enriched_names |= audit_enriched_name_bit(name.len ? name.p[0] : 0, name.len);
	return AUDIT_PARSE_OK;
}

/* [A-Z0-9_-]+ with at least one letter: an ENRICHED interpreted name. */
static int is_interpreted_name(audit_view_t n)
{
	size_t i;
	int letter = 0;

	for (i = 0; i < n.len; i++) {
		char c = n.p[i];

		if (is_upper(c))
			letter = 1;
		else if (!is_digit(c) && c != '_' && c != '-')
			return 0;
	}
	return letter;
}

/* aN or aN[i]: an EXECVE argument. */
static int is_execve_arg(audit_view_t n)
{
	size_t i = 1;

	if (n.len < 2 || n.p[0] != 'a')
		return 0;
	while (i < n.len && is_digit(n.p[i]))
		i++;
	if (i == 1)
		return 0;
	if (i == n.len)
		return 1;
	if (n.p[i++] != '[' || i == n.len)
		return 0;
	while (i < n.len && is_digit(n.p[i]))
		i++;
	return i == n.len - 1 && n.p[i] == ']' && n.p[i - 1] != '[';
}

/* N is the literal S: a compare of constant length, inlined */
#define NAME_IS(n, s) (memcmp((n).p, (s), LIT_LEN(s)) == 0)

/* The untrusted-string fields, from auparse's typetab.h
 * (AUPARSE_TYPE_ESCAPED, _ESCAPED_FILE, _ESCAPED_KEY, _PROCTITLE and
 * _TTY_DATA, including the AppArmor ones), plus every aN / aN[i] of an
 * EXECVE record. By length, so a name is compared with a few at most. */
static int is_escaped_field(int type, audit_view_t n)
{
	if (type == AUDIT_EXECVE && is_execve_arg(n))
		return 1;
	switch (n.len) {
	case 2:
		return NAME_IS(n, "sw") || NAME_IS(n, "vm");
	case 3:
		return NAME_IS(n, "cmd") || NAME_IS(n, "cwd") || NAME_IS(n, "dir") ||
		       NAME_IS(n, "exe") || NAME_IS(n, "grp") || NAME_IS(n, "key");
	case 4:
		return NAME_IS(n, "acct") || NAME_IS(n, "comm") || NAME_IS(n, "data") ||
		       NAME_IS(n, "file") || NAME_IS(n, "info") || NAME_IS(n, "name") ||
		       NAME_IS(n, "path");
	case 5:
		return NAME_IS(n, "ocomm") || NAME_IS(n, "watch");
	case 6:
		return NAME_IS(n, "cgroup") || NAME_IS(n, "device") ||
		       NAME_IS(n, "new-fs") || NAME_IS(n, "old-fs");
	case 7:
		return NAME_IS(n, "new-net") || NAME_IS(n, "new-rng") ||
		       NAME_IS(n, "old-net") || NAME_IS(n, "old-rng") ||
		       NAME_IS(n, "profile");
	case 8:
		return NAME_IS(n, "apparmor") || NAME_IS(n, "new-disk") ||
		       NAME_IS(n, "old-disk") || NAME_IS(n, "root_dir");
	case 9:
		return NAME_IS(n, "new_group") || NAME_IS(n, "operation") ||
		       NAME_IS(n, "proctitle");
	case 11:
		return NAME_IS(n, "denied_mask") || NAME_IS(n, "new-chardev") ||
		       NAME_IS(n, "old-chardev");
	case 14:
		return NAME_IS(n, "requested_mask");
	case 15:
		return NAME_IS(n, "invalid_context");
	default:
		return 0;
	}
}

static int is_upper_hex_string(audit_view_t v)
{
	size_t i;

	if (v.len < 2 || v.len % 2 != 0)
		return 0;
	for (i = 0; i < v.len; i++)
		if (!is_upper_hex(v.p[i]))
			return 0;
	return 1;
}

static audit_enc_t classify_unquoted(int type, audit_view_t name,
                                     audit_view_t v)
{
	if (v.len == LIT_LEN(VALUE_NULL) &&
	    memcmp(v.p, VALUE_NULL, LIT_LEN(VALUE_NULL)) == 0)
		return AUDIT_ENC_NULL;
	if (is_upper_hex_string(v) && is_escaped_field(type, name))
		return AUDIT_ENC_HEX;
	return AUDIT_ENC_PLAIN;
}

/* Tokenizer modes: the record body, or the inside of msg='...' which
 * ends at the first ' that is not inside a double-quoted value. */
enum tok_mode { TOK_BODY, TOK_NESTED };

static audit_parse_rc_t tokenize(audit_record_t *r, const char *p,
                                 const char *end, enum tok_mode mode,
                                 const char **stop);

/* Does C end an unquoted value or a free-text token? */
static int ends_word(char c, enum tok_mode mode)
{
	return has_class(c, mode == TOK_NESTED ? CC_SQUOTE_END : CC_SEP);
}

/* rsyslog escapes control characters on receive by default, so the
 * ENRICHED separator reaches us as the text "#035". Unquoted audit values
 * are numbers, words or hex, never '#', so in the body it is unambiguous. */
static int is_escaped_sep(const char *p, const char *end, enum tok_mode mode)
{
	return mode == TOK_BODY && *p == ENRICHED_SEP_ESCAPED[0] &&
	       (size_t)(end - p) >= LIT_LEN(ENRICHED_SEP_ESCAPED) &&
	       memcmp(p, ENRICHED_SEP_ESCAPED, LIT_LEN(ENRICHED_SEP_ESCAPED)) == 0;
}

/* The first byte at or after P of the class STOP (CC_SEP | CC_HASH in the
 * body: blank, TAB, 0x1D, '#'; CC_SQUOTE_END nested: blank, TAB, 0x1D,
 * the quote), or END. Sixteen bytes a round while that many are left
 * (SSE2, which every x86-64 has), then one class test per byte. The
 * rounds compare the bytes of CC_SEPC, '#' and the quote themselves: a
 * byte added to those classes must be added here too. */
static inline __attribute__((always_inline)) const char *
find_stop(const char *p, const char *end, enum tok_mode mode, unsigned stop)
{
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
	const __m128i gs = _mm_set1_epi8(ENRICHED_SEP);
	const __m128i last = _mm_set1_epi8(mode == TOK_NESTED ? '\'' : '#');

	while (end - p >= (ptrdiff_t)sizeof(__m128i)) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, sp), _mm_cmpeq_epi8(x, tab)),
		                           _mm_or_si128(_mm_cmpeq_epi8(x, gs), _mm_cmpeq_epi8(x, last)));
		unsigned m = (unsigned)_mm_movemask_epi8(hit);

		if (m != 0)
			return p + __builtin_ctz(m);
		p += sizeof(__m128i);
	}
#else
	(void)mode;
#endif
	while (p < end && !has_class(*p, stop))
		p++;
	return p;
}

/* The end of the word at P: an unquoted value or a free-text token. A '#'
 * in the body stops the scan to be looked at. */
static inline __attribute__((always_inline)) const char *
word_end(const char *p, const char *end, enum tok_mode mode)
{
	unsigned stop = mode == TOK_NESTED ? CC_SQUOTE_END : CC_SEP | CC_HASH;

	for (;;) {
		p = find_stop(p, end, mode, stop);
		if (p < end && *p == '#' && !is_escaped_sep(p, end, mode)) {
			p++;
			continue;
		}
		return p;
	}
}

/* NAME='...': its key=value tokens become NESTED fields; text with none
 * is one SQUOTED field. P is past the opening quote; *NEXT past the
 * closing one (or END when it is missing). */
static audit_parse_rc_t parse_squoted(audit_record_t *r, audit_view_t name,
                                      const char *p, const char *end,
                                      unsigned flags, const char **next)
{
	size_t before = r->nfields;
	const char *close;
	audit_parse_rc_t rc;

	rc = tokenize(r, p, end, TOK_NESTED, &close);
	if (rc != AUDIT_PARSE_OK)
		return rc;
	*next = close < end ? close + 1 : end;
	if (r->nfields > before)
		return AUDIT_PARSE_OK;
	return add_field(r, name, view(p, (size_t)(close - p)),
	                 AUDIT_ENC_SQUOTED, flags);
}

/* Does the '}' at P end a token: the line ends or a separator follows? */
static int ends_token(const char *p, const char *end, enum tok_mode mode)
{
	return p + 1 >= end || ends_word(p[1], mode) ||
	       is_escaped_sep(p + 1, end, mode);
}

/* The '}' that ends the braced value whose inside starts at P, or NULL.
 * A socket path may hold braces (path=/tmp/.{FD2DD8D4-...}), so it is the
 * '}' that balances the opening '{' and ends a token; failing that (a
 * path with a lone brace), the last '}' that ends a token; failing that,
 * the first '}'. Inside msg='...' the search ends at a quote. */
static const char *braced_close(const char *p, const char *end,
                                enum tok_mode mode)
{
	const char *first = NULL, *last = NULL;
	size_t depth = 0;

	for (; p < end; p++) {
		if (*p == '\'' && mode == TOK_NESTED && first != NULL)
			break;
		if (*p == '{') {
			depth++;
		} else if (*p == '}') {
			if (first == NULL)
				first = p;
			if (ends_token(p, end, mode)) {
				if (depth == 0)
					return p;
				last = p;
			}
			if (depth > 0)
				depth--;
		}
	}
	return last != NULL ? last : first;
}

/* {...}: the inside, blanks next to the braces trimmed. */
static audit_parse_rc_t parse_braced(audit_record_t *r, audit_view_t name,
                                     const char *p, const char *end,
                                     enum tok_mode mode, unsigned flags,
                                     const char **next)
{
	const char *close = braced_close(p, end, mode);
	const char *b = p, *e;

	if (close == NULL)
		return AUDIT_PARSE_TRUNCATED;
	e = close;
	while (b < e && is_blank(*b))
		b++;
	while (e > b && is_blank(e[-1]))
		e--;
	*next = close + 1;
	return add_field(r, name, view(b, (size_t)(e - b)), AUDIT_ENC_BRACED,
	                 flags);
}

/* Old (RHEL 5) PAM messages wrap their last fields in punctuation:
 * msg='PAM: setcred acct=root : exe="/usr/sbin/crond" (hostname=?, addr=?,
 * terminal=cron res=success)'. As auparse does, a value loses a trailing
 * ',' and a trailing ')' that closes nothing inside it ("(none)" stays). */
static audit_view_t trim_old_pam_punctuation(audit_view_t v)
{
	if (v.len && v.p[v.len - 1] == ',')
		v.len--;
	if (v.len && v.p[v.len - 1] == ')' && memchr(v.p, '(', v.len) == NULL)
		v.len--;
	return v;
}

static int is_name(audit_view_t n, const char *lit, size_t len)
{
	return n.len == len && memcmp(n.p, lit, len) == 0;
}

/* A hex key= value: one field per rule key (see the top). A value that is
 * nothing but separators stays one field. */
static audit_parse_rc_t add_rule_keys(audit_record_t *r, audit_view_t name,
                                      audit_view_t v, unsigned flags)
{
	const size_t sep_len = LIT_LEN(HEX_RULE_KEY_SEP);
	size_t i, start = 0, before = r->nfields;
	audit_parse_rc_t rc;

	for (i = 0; i + sep_len <= v.len; i += sep_len) {
		if (memcmp(v.p + i, HEX_RULE_KEY_SEP, sep_len) != 0)
			continue;
		if (i > start) {
			rc = add_field(r, name, view(v.p + start, i - start),
			               AUDIT_ENC_HEX, flags);
			if (rc != AUDIT_PARSE_OK)
				return rc;
		}
		start = i + sep_len;
	}
	if (start < v.len || r->nfields == before)
		return add_field(r, name, view(v.p + start, v.len - start),
		                 AUDIT_ENC_HEX, flags);
	return AUDIT_PARSE_OK;
}

/* ENRICHED text whose 0x1D was deleted on the way (a control-character
 * filter such as rsyslog's drop-cc, a copy through a terminal) glues the
 * first interpreted field to the last raw value: "key=(null)ARCH=x86_64".
 * Where that value is "(null)", the word is cut after it, so ARCH=... is a
 * field again. Returns the end of the word starting at V. */
static const char *lost_separator(const char *v, const char *e)
{
	const char *p = v + LIT_LEN(VALUE_NULL), *n = p;

	if (e - v <= (ptrdiff_t)LIT_LEN(VALUE_NULL) ||
	    memcmp(v, VALUE_NULL, LIT_LEN(VALUE_NULL)) != 0)
		return e;
	while (n < e && (is_upper(*n) || is_digit(*n) || *n == '_'))
		n++;
	if (n == p || n >= e || *n != '=' || !is_upper(*p))
		return e;
	return p;
}

/* auditd writes the ENRICHED SADDR of a socket address whose family it
 * does not know as two words, "SADDR=unknown family" (auparse's own
 * interpretation is unknown-family(N)). The value is both words: returns
 * the end of the value that starts at V and whose first word ends at E. */
static const char *unknown_family(audit_view_t name, const char *v,
                                  const char *e, const char *end)
{
	const char *p = e + 1;

	if (!is_name(name, ENRICHED_SADDR, LIT_LEN(ENRICHED_SADDR)) ||
	    !is_name(view(v, (size_t)(e - v)), SADDR_UNKNOWN, LIT_LEN(SADDR_UNKNOWN)) ||
	    e >= end || *e != ' ' ||
	    !starts_with(p, end, SADDR_FAMILY, LIT_LEN(SADDR_FAMILY)))
		return e;
	p += LIT_LEN(SADDR_FAMILY);
	if (p < end && !is_sep(*p) && !is_escaped_sep(p, end, TOK_BODY))
		return e;
	return p;
}

/* The value at P (past '=') of field NAME; *NEXT is set past it. */
static audit_parse_rc_t parse_value(audit_record_t *r, audit_view_t name,
                                    const char *p, const char *end,
                                    enum tok_mode mode, unsigned flags,
                                    const char **next)
{
	const char *v = p;
	audit_view_t value;
	audit_enc_t enc;

	if (p < end && *p == '"') {
		const char *close = memchr(p + 1, '"', (size_t)(end - p - 1));

		if (close == NULL)
			return AUDIT_PARSE_TRUNCATED;
		*next = close + 1;
		return add_field(r, name, view(p + 1, (size_t)(close - p - 1)),
		                 AUDIT_ENC_QUOTED, flags);
	}
	if (p < end && *p == '\'' && mode == TOK_BODY)
		return parse_squoted(r, name, p + 1, end, flags, next);
	if (p < end && *p == '{')
		return parse_braced(r, name, p + 1, end, mode, flags, next);
	p = word_end(p, end, mode);
	p = lost_separator(v, p);
	if (flags & AUDIT_FIELD_INTERPRETED)
		p = unknown_family(name, v, p, end);
	*next = p;
	value = view(v, (size_t)(p - v));
	if (mode == TOK_NESTED)
		value = trim_old_pam_punctuation(value);
	enc = classify_unquoted(r->type, name, value);
	if (enc == AUDIT_ENC_HEX && is_name(name, KEY_NAME, LIT_LEN(KEY_NAME)))
		return add_rule_keys(r, name, value, flags);
	return add_field(r, name, value, enc, flags);
}

/* AVC: "avc:  denied  { read write } for  pid=..." -> seresult, seperms
 * (see the top). Anything else in the body is left to the tokenizer. */
static audit_parse_rc_t add_avc_verdict(audit_record_t *r)
{
	static const char seresult[] = "seresult", seperms[] = "seperms";
	const char *p = r->body.p, *end = r->body.p + r->body.len, *w, *close;
	audit_parse_rc_t rc;

	if (!starts_with(p, end, AVC_PREFIX, LIT_LEN(AVC_PREFIX)))
		return AUDIT_PARSE_OK;
	for (p += LIT_LEN(AVC_PREFIX); p < end && is_blank(*p); p++)
		;
	for (w = p; p < end && !is_blank(*p) && *p != '{'; p++)
		;
	if (p == w || memchr(w, '=', (size_t)(p - w)) != NULL)
		return AUDIT_PARSE_OK;
	rc = add_field(r, view(seresult, LIT_LEN(seresult)),
	               view(w, (size_t)(p - w)), AUDIT_ENC_PLAIN, 0);
	while (rc == AUDIT_PARSE_OK && p < end && is_blank(*p))
		p++;
	if (rc != AUDIT_PARSE_OK || p >= end || *p != '{' ||
	    (close = memchr(p, '}', (size_t)(end - p))) == NULL)
		return rc;
	for (p++; p < close && is_blank(*p); p++)
		;
	while (close > p && is_blank(close[-1]))
		close--;
	if (close == p)
		return AUDIT_PARSE_OK;
	return add_field(r, view(seperms, LIT_LEN(seperms)),
	                 view(p, (size_t)(close - p)), AUDIT_ENC_PLAIN, 0);
}

/* Split [P, END) into fields. Tokens without a well-formed name= are free
 * text and skipped. In TOK_NESTED mode *STOP is set to the closing '. */
static audit_parse_rc_t tokenize(audit_record_t *r, const char *p,
                                 const char *end, enum tok_mode mode,
                                 const char **stop)
{
	unsigned base = mode == TOK_NESTED ? AUDIT_FIELD_NESTED : 0;
	int after_sep = 0;

	for (;;) {
		const char *n;
		audit_view_t name;
		unsigned flags = base;
		audit_parse_rc_t rc;

		for (;;) {
			if (p < end && is_sep(*p)) {
				if (*p == ENRICHED_SEP)
					after_sep = 1;
				p++;
			} else if (p < end && is_escaped_sep(p, end, mode)) {
				after_sep = 1;
				p += LIT_LEN(ENRICHED_SEP_ESCAPED);
			} else {
				break;
			}
		}
		if (p >= end) {
			if (mode == TOK_NESTED)
				*stop = end;  /* closing quote lost: see top */
			return AUDIT_PARSE_OK;
		}
		if (mode == TOK_NESTED && *p == '\'') {
			*stop = p;
			return AUDIT_PARSE_OK;
		}
		if (mode == TOK_NESTED && *p == '(' && p + 1 < end && is_name_start(p[1]))
			p++;   /* "(hostname=?," of old PAM messages: see above */
		n = p;
		if (is_name_start(*p)) {
			while (p < end && is_name_start(*p))   /* [A-Za-z0-9_] */
				p++;
			if (p < end && is_name_char(*p))       /* '-', '[', ']' too */
				while (p < end && is_name_char(*p))
					p++;
			else
				flags |= AUDIT_FIELD_PLAIN_NAME;
		}
		if (p == n || p >= end || *p != '=') {
			p = word_end(p, end, mode);
			continue;
		}
		name = view(n, (size_t)(p - n));
		if (after_sep || is_interpreted_name(name))
			flags |= AUDIT_FIELD_INTERPRETED;
		rc = parse_value(r, name, p + 1, end, mode, flags, &p);
		if (rc != AUDIT_PARSE_OK)
			return rc;
	}
}

/* ---- public ----------------------------------------------------------- */

void audit_record_init(audit_record_t *r)
{
	memset(r, 0, sizeof(*r));
	/* the record's address: unknown to whoever wrote the names (ASLR) */
	r->index_seed = (uint64_t)(uintptr_t)r * AUDIT_NAME_HASH_MULT;
}

void audit_record_free(audit_record_t *r)
{
	if (r == NULL)
		return;
	free(r->fields);
	free(r->index);
	audit_record_init(r);
}

/* Every view empty (pointing at LINE, never NULL), fields kept. */
static void reset(audit_record_t *r, const char *line, size_t len)
{
	r->line = view(line, len);
	r->hostname = view(line, 0);
	r->msg = view(line, len);
	r->text = view(line, 0);
	r->node = view(line, 0);
	r->type_name = view(line, 0);
	r->type = 0;
	r->type_str = NULL;
	r->sec = 0;
	r->msec = 0;
	r->serial = 0;
	r->stamped = 0;
	r->body = view(line, 0);
	r->enriched = 0;
	r->enriched_names = 0;
	r->nfields = 0;
	if (r->index != NULL) {   /* emptied to its first size */
		r->index_mask = INDEX_MIN_SLOTS - 1;
		memset(r->index, 0, INDEX_MIN_SLOTS * sizeof(*r->index));
	}
}

audit_parse_rc_t audit_record_parse(audit_record_t *r, const char *line,
                                    size_t len)
{
	return audit_record_parse_opt(r, line, len, 0);
}

audit_parse_rc_t audit_record_parse_opt(audit_record_t *r, const char *line,
                                        size_t len, unsigned opts)
{
	const char *end, *from = line;
	audit_parse_rc_t rc;

	if (line == NULL) {
		line = "";
		len = 0;
	}
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	reset(r, line, len);
	r->indexed = !(opts & AUDIT_PARSE_NO_INDEX);
	if (len > AUDIT_RECORD_MAX_LEN)
		return AUDIT_PARSE_TOO_LONG;
	end = line + len;
	if (!starts_with(line, end, KEY_TYPE, LIT_LEN(KEY_TYPE)) &&
	    !starts_with(line, end, KEY_NODE, LIT_LEN(KEY_NODE)))
		from = syslog_read_header(line, end, &r->hostname.p,
		                          &r->hostname.len);
	r->msg = view(from, (size_t)(end - from));
	if (!(opts & AUDIT_PARSE_CHECKED) && has_binary(line, len))
		return AUDIT_PARSE_BINARY;
	rc = find_record(r, from, end);
	if (rc == AUDIT_PARSE_OK) {
		r->stamped = 1;
		resolve_type(r);
	} else if (rc != AUDIT_PARSE_NOT_AUDIT || !find_journald(r, line, from, end)) {
		return rc;
	}
	if (r->type == AUDIT_AVC && (rc = add_avc_verdict(r)) != AUDIT_PARSE_OK)
		return rc;
	return tokenize(r, r->body.p, end, TOK_BODY, NULL);
}

const char *audit_parse_rc_str(audit_parse_rc_t rc)
{
	switch (rc) {
	case AUDIT_PARSE_OK:              return "ok";
	case AUDIT_PARSE_NOT_AUDIT:       return "not-audit";
	case AUDIT_PARSE_TRUNCATED:       return "truncated";
	case AUDIT_PARSE_TOO_LONG:        return "too-long";
	case AUDIT_PARSE_BINARY:          return "binary";
	case AUDIT_PARSE_TOO_MANY_FIELDS: return "too-many-fields";
	case AUDIT_PARSE_NOMEM:           return "no-memory";
	case AUDIT_PARSE_UNTRUSTED:       return "untrusted";
	}
	return "unknown";
}

const audit_field_t *audit_record_field_view(const audit_record_t *r,
                                             const char *name, size_t len)
{
	const audit_name_slot_t *s;
	size_t i;

	if (r->nfields == 0)
		return NULL;
	if (!r->indexed) {
		for (i = 0; i < r->nfields; i++)
			if (r->fields[i].name.len == len &&
			    memcmp(r->fields[i].name.p, name, len) == 0)
				return &r->fields[i];
		return NULL;
	}
	s = index_slot(r, name, len, audit_name_key(name, len));
	return s->first ? &r->fields[s->first - 1] : NULL;
}

const audit_field_t *audit_record_field(const audit_record_t *r,
                                        const char *name)
{
	const audit_name_slot_t *s;
	uint64_t key = 0;
	size_t len;

	if (!r->indexed || r->nfields == 0)
		return audit_record_field_view(r, name, strlen(name));
	/* the key while looking for the end of a short name */
	for (len = 0; len < AUDIT_NAME_KEY_BYTES && name[len] != '\0'; len++)
		key |= (uint64_t)(unsigned char)name[len] << (8 * len);
	if (len == AUDIT_NAME_KEY_BYTES)
		len += strlen(name + len);
	s = index_slot(r, name, len, key);
	return s->first ? &r->fields[s->first - 1] : NULL;
}

/* ---- frozen copies ------------------------------------------------------ */

size_t audit_record_frozen_size(const audit_record_t *r)
{
	size_t n = sizeof(*r) + r->nfields * sizeof(*r->fields);

	if (r->indexed && r->index != NULL)
		n += (r->index_mask + 1) * sizeof(*r->index);
	return n;
}

/* V moved from [FROM, FROM+LEN] to the same place after TO; a view
 * elsewhere (a name the parser adds, "seresult") stays */
static audit_view_t moved(audit_view_t v, const char *from, size_t len, const char *to)
{
	uintptr_t at = (uintptr_t)v.p, lo = (uintptr_t)from;

	/* below FROM, AT - LO wraps to more than LEN: one compare */
	if (at - lo <= len)
		v.p = to + (at - lo);
	return v;
}

const audit_record_t *audit_record_freeze(void *mem, const audit_record_t *r,
                                          const char *line)
{
	audit_record_t *c = mem;
	const char *from = r->line.p;
	size_t i, len = r->line.len, slots = 0;

	*c = *r;
	c->fields = (audit_field_t *)(c + 1);
	c->cap = r->nfields;
	/* each field copied with its views moved, in one pass (a record of
	 * no fields may have no array) */
	for (i = 0; i < r->nfields; i++) {
		audit_field_t *d = &c->fields[i];

		*d = r->fields[i];
		d->name = moved(d->name, from, len, line);
		d->value = moved(d->value, from, len, line);
	}
	if (r->indexed && r->index != NULL) {
		slots = r->index_mask + 1;
		c->index = (audit_name_slot_t *)(c->fields + r->nfields);
		memcpy(c->index, r->index, slots * sizeof(*r->index));
	} else {
		c->index = NULL;
	}
	c->index_cap = slots;
	c->line = moved(r->line, from, len, line);
	c->hostname = moved(r->hostname, from, len, line);
	c->msg = moved(r->msg, from, len, line);
	c->text = moved(r->text, from, len, line);
	c->node = moved(r->node, from, len, line);
	c->type_name = moved(r->type_name, from, len, line);
	c->body = moved(r->body, from, len, line);
	return c;
}

int audit_type_is_standalone(int type)
{
	return (type >= AUDIT_FIRST_USER_MSG && type <= AUDIT_LAST_DAEMON) ||
	       (type >= AUDIT_FIRST_USER_MSG2 && type <= AUDIT_LAST_USER_MSG2);
}
