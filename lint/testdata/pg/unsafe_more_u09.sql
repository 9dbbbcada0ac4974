-- expect: cluster
CLUSTER VERBOSE big_table USING big_table_pkey;
