/* ---
# a table, not a view: pivoting the year columns of 1.2 M rows is the costliest staging query at
# national scale; as a view it ran again for its row count, tests, preview and in int_urssaf_communes
materialized: table
description: >
  Urssaf private-sector employer establishments and salaried headcount at 31/12 by commune and
  APE code, one row per commune x APE x year (the file has one column per year and measure).
  Empty cells (secret or no employer) stay null.
columns:
  millesime: Vintage (latest year of the file)
  annee_cog: COG year of code_geo
  code_geo: Commune or arrondissement code
  code_ape: APE code without dot (2562Z)
  division_naf: First two digits of the APE code (NAF division)
  annee: Year
  effectifs_salaries: Salaried headcount at 31/12
  nombre_etablissements: Employer establishments at 31/12
tests:
  - not_null: [code_geo, code_ape, annee]
--- */
with long as (
    unpivot raw_urssaf_ape
    on columns('^(effectifs_salaries|nombre_d_etablissements)_\d{4}$')
    into name colonne value valeur
)
select
    millesime,
    annee_cog,
    code_commune as code_geo,
    code_ape,
    substr(code_ape, 1, 2) as division_naf,
    cast(right(colonne, 4) as integer) as annee,
    sum(valeur) filter (where colonne like 'effectifs_salaries_%') as effectifs_salaries,
    sum(valeur) filter (where colonne like 'nombre_d_etablissements_%') as nombre_etablissements
from long
group by all
