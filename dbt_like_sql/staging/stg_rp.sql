/* ---
description: >
  Census bases communales (population structure and employment - active population), every
  materialized vintage, in long form. Insee names variables with the year in them (P21_POP,
  C21_EMPLT_INDUS, history P15_EMPLT); here the year becomes a column and the name loses it
  (P_POP, C_EMPLT_INDUS), so one query serves every vintage. P = exploitation principale,
  C = exploitation complémentaire.
columns:
  base: rp_population or rp_emploi
  millesime: Census vintage (RP 2021 = 2021)
  annee_cog: COG year of code_geo
  code_geo: Commune or arrondissement code
  variable: Variable name without year (P_POP, C_EMPLT_INDUS...)
  annee: Year the value refers to (the vintage, or 6 years before for history columns)
  valeur: Value (weighted census estimate)
tests:
  - not_null: [code_geo, variable, annee, valeur]
--- */
-- The variable and year of each column are read off its name once, from the catalog's list of
-- the two tables' columns, not on each of the 1.6 M national cells (4 times less CPU, issue 8).
with population as (
    unpivot raw_rp_population on columns(* exclude (CODGEO, annee_cog, millesime))
    into name colonne value valeur
),
emploi as (
    unpivot raw_rp_emploi on columns(* exclude (CODGEO, annee_cog, millesime))
    into name colonne value valeur
),
both_bases as (
    select 'rp_population' as base, * from population
    union all
    select 'rp_emploi' as base, * from emploi
),
colonnes as (
    select distinct
        column_name as colonne,
        regexp_extract(column_name, '^([PC])\d{2}_(.+)$', 1) || '_' || regexp_extract(column_name, '^([PC])\d{2}_(.+)$', 2) as variable,
        2000 + cast(regexp_extract(column_name, '^[PC](\d{2})_', 1) as integer) as annee
    from duckdb_columns()
    where table_name in ('raw_rp_population', 'raw_rp_emploi')
      and column_name not in ('CODGEO', 'annee_cog', 'millesime')
)
select
    b.base,
    b.millesime,
    b.annee_cog,
    b.CODGEO as code_geo,
    c.variable,
    c.annee,
    cast(b.valeur as double) as valeur
from both_bases b
join colonnes c using (colonne)
where b.valeur is not null
