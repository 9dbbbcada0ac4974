-- expect: none
ANALYZE users;
