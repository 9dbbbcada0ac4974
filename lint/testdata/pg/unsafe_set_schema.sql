-- expect: rename-table
ALTER TABLE public.events SET SCHEMA archive;
