#include <stdio.h>
#include "fac.h"             /* <syslog.h> not included: no FAC_AUTHPRIV */

int main(void)
{
	int value;
	value = facility_number("LOCAL0");   /* as in servconf.c:1834 */
	Facility f = facility_number("LOCAL0");
	log_facility = f;
	printf("%d %s %s %d\n", value != FAC_NOT_SET, facility_name(f), facility_name(log_facility), (int)log_facility);
	return 0;
}
