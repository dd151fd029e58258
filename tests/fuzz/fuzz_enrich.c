/* fuzz_enrich.c -- libFuzzer target for enrich_decode(), enrich_interpret()
 * and enrich_argv(): the input is one line, parsed; every field of the
 * record is decoded and interpreted (ids=never, so no passwd lookups), and
 * the outputs are checked against enrich.h's promises:
 *  - both only append to OUT (what was there stays);
 *  - decode returning 0 means the raw value unchanged;
 *  - interpret returning 0 leaves OUT untouched;
 *  - outputs are bounded by the input (no runaway growth).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit_record.h"
#include "buf.h"
#include "enrich.h"
#include "fuzz_util.h"

#define FUZZ_PREFIX "prefix:"
/* Interpretations are short texts (names, flag lists, addresses) or an
 * ENRICHED value of the record, or tty data decoded and escaped; this
 * bound is generous for all of them and still catches runaway output. */
#define FUZZ_INTERP_FIXED_MAX 4096
#define FUZZ_INTERP_PER_BYTE  8

static enrich_t *enricher;
static audit_record_t rec;
static buf_t out, scratch;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	enrich_conf_t ec;

	(void)argc;
	(void)argv;
	enrich_conf_default(&ec);
	ec.ids = ENRICH_IDS_NEVER;
	ec.local_host = "fuzzhost.example";
	enricher = enrich_new(&ec);
	FUZZ_CHECK(enricher != NULL, "enrich_new");
	buf_init(&out);
	buf_init(&scratch);
	return 0;
}

static void start_out(void)
{
	buf_reset(&out);
	buf_puts(&out, FUZZ_PREFIX);
}

static void check_prefix(const char *what, size_t i)
{
	FUZZ_CHECK(out.len >= strlen(FUZZ_PREFIX) &&
	           memcmp(out.p, FUZZ_PREFIX, strlen(FUZZ_PREFIX)) == 0,
	           "%s of field %zu changed what OUT held", what, i);
}

static size_t longest_value(const audit_record_t *r)
{
	size_t i, m = 0;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].value.len > m)
			m = r->fields[i].value.len;
	return m;
}

typedef struct argv_count {
	size_t n;
	size_t bytes;
} argv_count_t;

static void count_arg(const char *arg, size_t len, void *ud)
{
	argv_count_t *c = ud;

	fuzz_touch(arg, len);
	c->n++;
	c->bytes += len;
}

static void check_argv(const audit_record_t *r, size_t size)
{
	argv_count_t c = { 0, 0 };
	int n = enrich_argv(r, &scratch, count_arg, &c);
	const char *t = r->type_str ? r->type_str : "";
	int is_argv = strcmp(t, "EXECVE") == 0 || strcmp(t, "PROCTITLE") == 0;

	FUZZ_CHECK(is_argv ? n >= 0 : n == -1, "enrich_argv gave %d for a %s record", n, t);
	if (n < 0)
		return;
	FUZZ_CHECK((size_t)n == c.n, "enrich_argv returned %d but emitted %zu", n, c.n);
	FUZZ_CHECK(c.bytes <= size, "argv of %zu bytes from a %zu-byte line", c.bytes, size);
	if (strcmp(t, "EXECVE") == 0)
		FUZZ_CHECK(c.n <= r->nfields, "%zu args from %zu fields", c.n, r->nfields);
	else
		FUZZ_CHECK(c.n <= size + 1, "%zu proctitle words from %zu bytes", c.n, size);
}

static void check_field(const enrich_ctx_t *ctx, size_t i, size_t vmax)
{
	const audit_field_t *f = &ctx->rec->fields[i];
	size_t plen = strlen(FUZZ_PREFIX), len;
	int rc;

	start_out();
	rc = enrich_decode(ctx, f, &out);
	check_prefix("enrich_decode", i);
	len = out.len - plen;
	FUZZ_CHECK(rc == 0 || rc == 1, "enrich_decode returned %d", rc);
	FUZZ_CHECK(len <= f->value.len, "decoded %zu bytes from a %zu-byte value", len,
	           f->value.len);
	if (rc == 0)
		FUZZ_CHECK(len == f->value.len && memcmp(out.p + plen, f->value.p, len) == 0,
		           "enrich_decode returned 0 but changed field %zu", i);
	fuzz_touch(out.p, out.len);

	start_out();
	rc = enrich_interpret(enricher, ctx, f, &out);
	check_prefix("enrich_interpret", i);
	len = out.len - plen;
	FUZZ_CHECK(rc == 0 || rc == 1, "enrich_interpret returned %d", rc);
	if (rc == 0)
		FUZZ_CHECK(len == 0, "enrich_interpret returned 0 but wrote %zu bytes", len);
	FUZZ_CHECK(len <= FUZZ_INTERP_FIXED_MAX + FUZZ_INTERP_PER_BYTE * vmax,
	           "interpretation of %zu bytes for field %zu (longest value %zu)", len, i,
	           vmax);
	FUZZ_CHECK(!out.oom, "out of memory");
	fuzz_touch(out.p, out.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1);   /* exact size: ASan sees over-reads */
	const audit_field_t *arch;
	enrich_ctx_t ctx = { .rec = NULL };
	size_t i, vmax;

	FUZZ_CHECK(in != NULL, "out of memory");
	if (size)
		memcpy(in, data, size);
	if (audit_record_parse(&rec, in, size) != AUDIT_PARSE_OK) {
		free(in);
		return 0;
	}
	arch = audit_record_field(&rec, "arch");
	ctx.rec = &rec;
	ctx.arch.p = arch ? arch->value.p : "";
	ctx.arch.len = arch ? arch->value.len : 0;
	ctx.origin = rec.node.len ? rec.node : rec.hostname;
	vmax = longest_value(&rec);
	for (i = 0; i < rec.nfields; i++)
		check_field(&ctx, i, vmax);
	/* the same fields as a local record: the id policy takes another path */
	ctx.origin.p = "";
	ctx.origin.len = 0;
	for (i = 0; i < rec.nfields; i++)
		check_field(&ctx, i, vmax);
	check_argv(&rec, size);
	free(in);
	return 0;
}
