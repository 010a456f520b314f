"""The portal's pages, one blueprint per area: portal (the catalogue), auth (sign-in and
its means), calls (the report and its export), feedback, claims (reklamasiya), guide (the
manual and the video), staff (the operator's desk) and account (the citizen's access log and
other sessions). Each has egov/templates/<name>/."""
