/* ---
description: >
  The NAF rév. 2 divisions (two first digits of an APE code) with their A38 activity and its
  industry flag, so that sources coded in APE (Urssaf) use the same industry scope as Flores
  (int_activites_a38, variable industry_scope): divisions 05-39 for 'BE', 10-33 for 'C'.
columns:
  division_naf: NAF division, two digits ('05')
  activite_a38: A38 activity of the division
  est_industrie: Industry under the configured scope (the A38 activity's flag)
tests:
  - unique: [division_naf]
  - not_null: [division_naf, activite_a38, est_industrie]
  - relationships: {column: activite_a38, to: int_activites_a38.activite_a38}
  - row_count: {min: 88, max: 88}
--- */
-- A38 = ranges of NAF divisions (Insee, nomenclature agrégée NA 2008); numbers missing from the
-- NAF (04, 34, 40...) are not generated
with tranches(activite_a38, premiere, derniere) as (
    values
    ('AZ', 1, 3), ('BZ', 5, 9), ('CA', 10, 12), ('CB', 13, 15), ('CC', 16, 18), ('CD', 19, 19),
    ('CE', 20, 20), ('CF', 21, 21), ('CG', 22, 23), ('CH', 24, 25), ('CI', 26, 26), ('CJ', 27, 27),
    ('CK', 28, 28), ('CL', 29, 30), ('CM', 31, 33), ('DZ', 35, 35), ('EZ', 36, 39), ('FZ', 41, 43),
    ('GZ', 45, 47), ('HZ', 49, 53), ('IZ', 55, 56), ('JA', 58, 60), ('JB', 61, 61), ('JC', 62, 63),
    ('KZ', 64, 66), ('LZ', 68, 68), ('MA', 69, 71), ('MB', 72, 72), ('MC', 73, 75), ('NZ', 77, 82),
    ('OZ', 84, 84), ('PZ', 85, 85), ('QA', 86, 86), ('QB', 87, 88), ('RZ', 90, 93), ('SZ', 94, 96),
    ('TZ', 97, 98), ('UZ', 99, 99)
)
select
    lpad(cast(d.division as varchar), 2, '0') as division_naf,
    t.activite_a38,
    a.est_industrie
from tranches t
cross join lateral (select unnest(range(t.premiere, t.derniere + 1)) as division) d
join int_activites_a38 a using (activite_a38)
