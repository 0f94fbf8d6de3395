/* Reduced from openssh log.h: an enumerator exists only if <syslog.h>
 * (LOG_AUTHPRIV) was included first, so units see different enums. */
typedef enum {
	FAC_DAEMON,
#ifdef LOG_AUTHPRIV
	FAC_AUTHPRIV,
#endif
	FAC_LOCAL0,
	FAC_NOT_SET = -1
} Facility;

extern Facility log_facility;
Facility facility_number(const char *);
const char *facility_name(Facility);
