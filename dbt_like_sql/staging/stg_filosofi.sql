/* ---
description: >
  Filosofi bases communales (income and poverty), every materialized vintage, one row per commune
  and vintage. Insee names columns with the year in them (MED21, TP6021); here each vintage's own
  columns are read into one set (the 2020 row reads MED20, the 2021 row MED21). A figure Insee
  withholds ('s' in the file: statistical secrecy) is null; the commune's row is there all the same,
  which is how the intermediate model tells secret from absent.
columns:
  millesime: Filosofi vintage (income year)
  annee_cog: COG year of code_geo
  code_geo: Commune code
  nb_menages_fiscaux: Tax households
  nb_personnes: Persons in tax households
  mediane_niveau_vie: Median disposable income per consumption unit (EUR per year)
  taux_pauvrete: Poverty rate at 60 % of the national median, as a share (TP60 / 100)
tests:
  - not_null: [millesime, annee_cog, code_geo]
  - unique: [millesime, code_geo]
--- */
with communes as (
    -- every row of the file, even one whose figures are all withheld
    select distinct millesime, annee_cog, CODGEO as code_geo from raw_filosofi
),
cellules as (
    -- published cells only (unpivot leaves out the nulls)
    unpivot raw_filosofi on columns(* exclude (CODGEO, annee_cog, millesime))
    into name colonne value valeur
),
lues as (
    -- keep each vintage's own columns (NBMENFISC21 for 2021), read the variable off the name
    select
        millesime, annee_cog, CODGEO as code_geo,
        regexp_extract(colonne, '^(.*)\d{2}$', 1) as variable,
        cast(valeur as double) as valeur
    from cellules
    where right(colonne, 2) = lpad(cast(millesime % 100 as varchar), 2, '0')
)
select
    c.millesime,
    c.annee_cog,
    c.code_geo,
    max(l.valeur) filter (where l.variable = 'NBMENFISC') as nb_menages_fiscaux,
    max(l.valeur) filter (where l.variable = 'NBPERSMENFISC') as nb_personnes,
    max(l.valeur) filter (where l.variable = 'MED') as mediane_niveau_vie,
    max(l.valeur) filter (where l.variable = 'TP60') / 100 as taux_pauvrete
from communes c
left join lues l on l.millesime = c.millesime and l.code_geo = c.code_geo
group by all
