--------------------------------------------
--create the warehouse table
--------------------------------------------
CREATE TABLE warehouse (id INT PRIMARY KEY);

CREATE TABLE bin (id INT); --bins; one per shelf
