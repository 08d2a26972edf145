/* ---
description: >
  Flores millésimes 2017-2021 ("tableaux détaillés", TD_FLORES<YYYY>_NA17_TREF_NBSAL): salaried
  posts at 31/12 of the millésime by commune and A17 activity, one row per commune x activity
  (the file has one column per activity: EFF_TOT, EFF_AZ ... EFF_RU). An empty cell is kept as a
  null value flagged secret (how Insee writes a withheld cell in these tables is unverified).
  Arrondissement rows, if a file has them, only for a commune the file does not also give whole.
columns:
  millesime: Flores vintage
  annee_cog: COG year of code_geo
  code_geo: Commune or arrondissement code
  activite_a17: A17 code, '_T' for all activities (EFF_TOT)
  annee: Year of the observation (31 December of the millésime)
  valeur: Salaried posts, null when the cell is empty
  secret: True when the cell is empty
tests:
  - unique: [millesime, code_geo, activite_a17]
  - not_null: [millesime, code_geo, activite_a17, annee, secret]
--- */
-- One row per commune and activity column: the names of the EFF_ columns (in column order) and the
-- row's values (list_value(*columns(...)) follows the column order) unnested together.
with noms as (
    select list(column_name order by column_index) as colonnes
    from duckdb_columns()
    where table_name = 'raw_flores_a17_td' and regexp_matches(column_name, '^EFF_(TOT|[A-Z][A-Z0-9])$')
),
long as (
    select
        r.millesime, r.annee_cog, r.CODGEO,
        unnest(n.colonnes) as colonne,
        unnest(list_value(*columns('^EFF_(TOT|[A-Z][A-Z0-9])$'))) as valeur
    from raw_flores_a17_td r
    cross join noms n
),
communes_entieres as (
    select distinct millesime, CODGEO as code_commune from raw_flores_a17_td
),
parents as (
    select code_commune as code_arrondissement, code_commune_parent
    from stg_cog_communes
    where type_commune = 'ARM'
)
select
    l.millesime,
    l.annee_cog,
    l.CODGEO as code_geo,
    case when l.colonne = 'EFF_TOT' then '_T' else substr(l.colonne, 5) end as activite_a17,
    l.millesime as annee,
    cast(l.valeur as double) as valeur,
    l.valeur is null as secret
from long l
left join parents p on p.code_arrondissement = l.CODGEO
left join communes_entieres e on e.millesime = l.millesime and e.code_commune = p.code_commune_parent
where p.code_arrondissement is null or e.code_commune is null
