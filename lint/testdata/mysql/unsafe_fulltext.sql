-- expect: mysql-create-index-locking
CREATE FULLTEXT INDEX ft_body ON posts (body);
