-- expect: create-index-non-concurrent
CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));
