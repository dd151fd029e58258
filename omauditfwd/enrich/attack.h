/* attack.h -- MITRE ATT&CK tags from audit rule keys.
 *
 * Public rulesets name their keys after techniques (-k T1548.003_2,
 * -k T1059.004, -k T1087): a technique id in a key is recognised where it
 * stands as a word -- T and 4 digits, optionally '.' and 3 digits (a
 * sub-technique), not preceded by a letter or digit and not followed by
 * one ("T1548.003_2" -> T1548.003, "mitre-T1059" -> T1059, "T12345" and
 * "xT1059" -> none). A mapping file adds techniques, tactics and a
 * severity to keys, technique ids or not (-k identity, -k webshell):
 *
 *   # key (glob)   techniques      tactics                     severity
 *   identity       T1136,T1098     persistence                 6
 *   webshell       T1505.003       persistence,execution       9
 *   T1548*         -               privilege-escalation        8
 *
 * One entry a line, four columns separated by spaces, '-' for none; every
 * entry whose glob matches one of the event's keys applies (techniques and
 * tactics are merged in order without repeats, the highest severity wins).
 * A mapping is immutable once loaded: any thread may read it.
 */
#ifndef AUDITFWD_ATTACK_H
#define AUDITFWD_ATTACK_H

#include <stddef.h>

#include "audit_record.h"
#include "buf.h"

#define ATTACK_ID_MAX        10    /* "T1234.001" + NUL */
#define ATTACK_TECH_MAX      8     /* techniques kept per event */
#define ATTACK_TACTIC_MAX    8     /* tactics kept per event */
#define ATTACK_TACTIC_LEN    48    /* bytes of a tactic name */
#define ATTACK_SEVERITY_MAX  10
#define ATTACK_KEYS_MAX      16    /* rule keys of one event looked at */
#define ATTACK_MAP_MAX       4096  /* entries in a mapping file */
#define ATTACK_LINE_MAX      1024  /* bytes of a mapping line */

/* What an event is tagged with. */
typedef struct attack_tags {
	size_t ntech;
	char tech[ATTACK_TECH_MAX][ATTACK_ID_MAX];
	size_t ntactic;
	const char *tactic[ATTACK_TACTIC_MAX];   /* the mapping's strings */
	int severity;                            /* 1..10; 0: none */
} attack_tags_t;

typedef struct attack_map attack_map_t;

/* The mapping in PATH; NULL with the line and the word at fault in ERR. */
attack_map_t *attack_map_load(const char *path, char *err, size_t errlen);
void attack_map_free(attack_map_t *m);
size_t attack_map_count(const attack_map_t *m);

/* The technique ids in KEY (LEN bytes) appended to T (without repeats). */
void attack_key_techniques(const char *key, size_t len, attack_tags_t *t);

/* The rule keys of an event: every key= field of its first record that
 * has one (several keys are several fields), hex ones decoded into B; no
 * key, "(null)": none. At most MAX views into the records or B (valid
 * until B changes). Returns how many. */
size_t attack_event_keys(const audit_record_t *const *recs, size_t n, buf_t *b,
                         audit_view_t *keys, size_t max);

/* The tags of an event with these KEYS: the technique ids in them, then
 * what the mapping M (may be NULL) adds. 1 when there is any tag. */
int attack_tag(const attack_map_t *m, const audit_view_t *keys, size_t nkeys,
               attack_tags_t *t);

/* The tags as JSON: ,"attack":{"technique":[...],"tactic":[...],"severity":N}
 * (members only when present). */
void attack_json(buf_t *out, const attack_tags_t *t);
/* The techniques (or tactics) joined by ',' into OUT. */
void attack_join_techniques(buf_t *out, const attack_tags_t *t);
void attack_join_tactics(buf_t *out, const attack_tags_t *t);

#endif
