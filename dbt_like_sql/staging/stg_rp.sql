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
)
select
    base,
    millesime,
    annee_cog,
    CODGEO as code_geo,
    regexp_extract(colonne, '^([PC])\d{2}_(.+)$', 1) || '_' || regexp_extract(colonne, '^([PC])\d{2}_(.+)$', 2) as variable,
    2000 + cast(regexp_extract(colonne, '^[PC](\d{2})_', 1) as integer) as annee,
    cast(valeur as double) as valeur
from both_bases
where valeur is not null
