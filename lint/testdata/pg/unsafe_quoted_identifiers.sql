-- expect: create-index-non-concurrent
CREATE INDEX "IdxUsersEmail" ON "public"."Users" ("Email");
