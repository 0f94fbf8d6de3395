#include <string.h>
#include <syslog.h>          /* defines LOG_AUTHPRIV */
#include "fac.h"

Facility log_facility = FAC_DAEMON;

Facility facility_number(const char *s)
{
	return strcmp(s, "LOCAL0") == 0 ? FAC_LOCAL0 : FAC_NOT_SET;
}

const char *facility_name(Facility f)
{
	return f == FAC_LOCAL0 ? "LOCAL0" : f == FAC_AUTHPRIV ? "AUTHPRIV" : "?";
}
