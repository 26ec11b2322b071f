-- The SQL script that tests/system/test_apps_lua_sqlite.py runs with the
-- sqlite3 shell in Pogo and with Debian's sqlite3 on the host: a schema,
-- 10,000 INSERT statements in one transaction, two indexes, joins,
-- GROUP BY aggregates, ORDER BY, subqueries, LIKE and printf(). It names
-- no folder: the database comes from the command line, and the
-- generated INSERT statements go to orders.sql in the current folder.
.headers on
.mode list
-- In Pogo the database file is in RAM, where a page cache of SQLite's
-- default size (2 MB) would hold a second copy of it: 64 KiB is enough.
PRAGMA cache_size = -64;

CREATE TABLE customers(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    joined TEXT NOT NULL
);
CREATE TABLE products(
    code TEXT PRIMARY KEY,
    slot INTEGER NOT NULL UNIQUE,
    label TEXT NOT NULL,
    price REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE orders(
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    product TEXT NOT NULL REFERENCES products(code),
    quantity INTEGER NOT NULL,
    discount REAL NOT NULL,
    day INTEGER NOT NULL
);

INSERT INTO customers(id, name, city, joined)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
    SELECT i, printf('customer-%03d', i),
           CASE i % 6 WHEN 0 THEN 'Oslo' WHEN 1 THEN 'Lisbon' WHEN 2 THEN 'Kyoto'
                      WHEN 3 THEN 'Lima' WHEN 4 THEN 'Dakar' ELSE 'Quebec' END,
           date('2020-01-01', printf('+%d days', i * 3))
    FROM n;
INSERT INTO products VALUES
    ('apple', 0, 'Apple, Granny Smith', 0.45), ('bread', 1, 'Rye bread', 2.8),
    ('cheese', 2, 'Aged cheddar', 7.25), ('coffee', 3, 'Coffee beans 1 kg', 14.9),
    ('eggs', 4, 'Eggs, dozen', 3.1), ('milk', 5, 'Milk 1 l', 1.15),
    ('olive', 6, 'Olive oil 0.5 l', 6.4), ('rice', 7, 'Basmati rice', 2.05),
    ('tea', 8, 'Green tea', 4.75), ('tomato', 9, 'Tomatoes 500 g', 1.99);

-- Writes 10,000 INSERT statements to orders.sql, then reads them back
-- inside one transaction.
.headers off
.output orders.sql
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
SELECT printf('INSERT INTO orders VALUES(%d, %d, %Q, %d, %.2f, %d);',
              i, (i * 7919) % 257 % 250 + 1,
              (SELECT code FROM products WHERE slot = (i * 31) % 10),
              i % 9 + 1, ((i * 13) % 4) * 0.05, (i * 17) % 365)
FROM n;
.output stdout
BEGIN;
.read orders.sql
-- Empties the file, whose 600 KB would otherwise stay in RAM.
.output orders.sql
.output stdout
COMMIT;
.headers on

CREATE INDEX orders_by_customer ON orders(customer_id);
CREATE INDEX orders_by_product_day ON orders(product, day);

SELECT count(*) AS orders, sum(quantity) AS items, min(day), max(day),
       count(DISTINCT customer_id) AS customers
FROM orders;

SELECT o.product, p.label, count(*) AS n, sum(o.quantity) AS items,
       printf('%.2f', sum(o.quantity * p.price * (1 - o.discount))) AS revenue
FROM orders AS o JOIN products AS p ON p.code = o.product
GROUP BY o.product
ORDER BY sum(o.quantity * p.price * (1 - o.discount)) DESC;

SELECT c.city, count(DISTINCT c.id) AS customers, count(o.id) AS orders,
       printf('%8.2f', avg(o.quantity)) AS avg_quantity,
       printf('%.3e', total(o.quantity * p.price)) AS gross
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
JOIN products AS p ON p.code = o.product
GROUP BY c.city
HAVING count(o.id) > 100
ORDER BY c.city;

SELECT c.name, printf('%10.2f', sum(o.quantity * p.price)) AS spent
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
JOIN products AS p ON p.code = o.product
GROUP BY c.id
ORDER BY sum(o.quantity * p.price) DESC, c.id
LIMIT 10;

-- Customers who spent more than the average customer (subqueries).
SELECT count(*) AS above_average FROM (
    SELECT o.customer_id, sum(o.quantity * p.price) AS spent
    FROM orders AS o JOIN products AS p ON p.code = o.product
    GROUP BY o.customer_id
) WHERE spent > (
    SELECT avg(spent) FROM (
        SELECT sum(o.quantity * p.price) AS spent
        FROM orders AS o JOIN products AS p ON p.code = o.product
        GROUP BY o.customer_id));

SELECT id, name, city FROM customers
WHERE id IN (SELECT customer_id FROM orders WHERE product = 'coffee' AND day < 5)
ORDER BY id;

SELECT name, joined FROM customers
WHERE name LIKE '%-1_7' OR city LIKE 'q%'
ORDER BY joined DESC LIMIT 8;

SELECT code, label FROM products
WHERE label LIKE '%e%e%' AND label NOT LIKE 'E%' ORDER BY code;

SELECT day / 30 AS month, count(*) AS n, sum(quantity) AS items
FROM orders WHERE product = 'tea' GROUP BY month ORDER BY month;

SELECT product, day, count(*) AS n FROM orders
WHERE product = 'milk' AND day BETWEEN 100 AND 110
GROUP BY product, day ORDER BY day;

SELECT c.city, c.name, o.id, o.quantity
FROM customers AS c LEFT JOIN orders AS o
    ON o.customer_id = c.id AND o.quantity = 9 AND o.product = 'olive'
WHERE c.id <= 5 ORDER BY c.id, o.id;

SELECT printf('%5d|%-12s|%08.3f|%x|%o|%e|%g|%c|%%', 42, 'left', 3.14159,
              255, 8, 12345.678, 0.0001, 'xyz') AS formatted;
SELECT printf('%.10g', 0.1 + 0.2) AS sum, 0.1 + 0.2 AS raw, 1e300 * 1e10 AS big,
       7 / 2 AS int_div, 7 / 2.0 AS float_div, 7 % 3 AS modulo, -7 % 3 AS neg_mod;
SELECT upper('mixed Case') AS up, length('héllo') AS chars, substr('abcdef', 2, 3) AS sub,
       replace('a-b-c', '-', '+') AS rep, instr('haystack', 'st') AS pos,
       trim('  pad  ') AS trimmed, hex('AZ') AS hex, quote('it''s') AS quoted;
SELECT date('2024-02-28', '+1 day') AS leap, strftime('%Y-%j', '2023-12-31') AS doy,
       julianday('2000-01-01') AS jd, datetime(1700000000, 'unixepoch') AS ts;
SELECT typeof(1), typeof(1.0), typeof('x'), typeof(x'00'), typeof(NULL),
       coalesce(NULL, NULL, 'third'), nullif(3, 3), iif(1 < 2, 'yes', 'no');

SELECT name, rank FROM (
    SELECT c.name, rank() OVER (ORDER BY count(o.id) DESC, c.id) AS rank
    FROM customers AS c JOIN orders AS o ON o.customer_id = c.id
    GROUP BY c.id
) WHERE rank <= 3;

EXPLAIN QUERY PLAN
SELECT * FROM orders WHERE product = 'tea' AND day = 7;
EXPLAIN QUERY PLAN
SELECT count(*) FROM customers AS c JOIN orders AS o ON o.customer_id = c.id
WHERE c.city = 'Oslo';

BEGIN;
UPDATE orders SET quantity = quantity + 1 WHERE product = 'bread';
SELECT changes() AS updated;
DELETE FROM orders WHERE day > 360;
SELECT changes() AS deleted;
ROLLBACK;
DELETE FROM orders WHERE id % 100 = 0;
SELECT changes() AS deleted, count(*) AS remaining FROM orders;
SELECT sum(quantity) FROM orders;

PRAGMA integrity_check;
SELECT count(*) AS tables FROM sqlite_schema WHERE type = 'table';
SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name;
