/* delivery_int.h -- shared by the files of the delivery unit only. */
#ifndef AUDITFWD_DELIVERY_INT_H
#define AUDITFWD_DELIVERY_INT_H

#include "delivery.h"

/* format a message (at most DELIVERY_LOG_MAX bytes) and hand it to LOG */
void delivery_say(delivery_log_fn log, delivery_level_t level, delivery_code_t code,
                  int errnum, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
