/* kafka_stats.c -- librdkafka's statistics JSON summarised with libfastjson
 * into a kafka_stats_sample_t.
 */
#include <string.h>

#include <json.h>

#include "kafka_stats.h"

static int64_t member_int(struct fjson_object *o, const char *name)
{
	struct fjson_object *v;

	if (o == NULL || !fjson_object_object_get_ex(o, name, &v))
		return 0;
	return fjson_object_get_int64(v);
}

int kafka_stats_parse(const char *json, size_t len, kafka_stats_sample_t *out)
{
	struct fjson_tokener *tok = fjson_tokener_new();
	struct fjson_object *root, *brokers;
	struct fjson_object_iterator it, end;

	memset(out, 0, sizeof(*out));
	if (tok == NULL)
		return -1;
	root = fjson_tokener_parse_ex(tok, json, (int)len);
	fjson_tokener_free(tok);
	if (root == NULL || !fjson_object_is_type(root, fjson_type_object) ||
	    !fjson_object_object_get_ex(root, "msg_cnt", NULL)) {
		if (root != NULL)
			fjson_object_put(root);
		return -1;
	}
	out->msg_cnt = member_int(root, "msg_cnt");
	if (fjson_object_object_get_ex(root, "brokers", &brokers) &&
	    fjson_object_is_type(brokers, fjson_type_object)) {
		it = fjson_object_iter_begin(brokers);
		end = fjson_object_iter_end(brokers);
		while (!fjson_object_iter_equal(&it, &end)) {
			struct fjson_object *b = fjson_object_iter_peek_value(&it);

			out->txerrs += member_int(b, "txerrs");
			out->txretries += member_int(b, "txretries");
			out->req_timeouts += member_int(b, "req_timeouts");
			fjson_object_iter_next(&it);
		}
	}
	fjson_object_put(root);
	return 0;
}
