/* ---
description: >
  Census historical series (base communale): the population of every census year since 1968, in
  long form. Insee puts the year in the column name: P22_POP (census 2022, exploitation
  principale), D99_POP (dénombrement 1999); here the year becomes a column. P years are 2000 + yy,
  D years 1900 + yy (the dénombrements stop at 1999; the census years since 2006 are P).
columns:
  millesime: Census vintage of the series (RP 2022 = 2022)
  annee_cog: COG year of code_geo
  code_geo: Commune or arrondissement code
  annee: Census year the population refers to
  population: Population of that year, in the geography of annee_cog
tests:
  - not_null: [code_geo, annee, population]
  - unique: [millesime, code_geo, annee]
  - assert: {name: annees_de_recensement, sql: "select * from stg_rp_serie_historique where annee < 1968 or annee > millesime"}
--- */
with cellules as (
    unpivot raw_rp_serie_historique on columns(* exclude (CODGEO, annee_cog, millesime))
    into name colonne value valeur
)
select
    millesime,
    annee_cog,
    CODGEO as code_geo,
    case when colonne like 'P%' then 2000 else 1900 end + cast(substr(colonne, 2, 2) as integer) as annee,
    cast(valeur as double) as population
from cellules
where valeur is not null and regexp_matches(colonne, '^[PD]\d{2}_POP$')
