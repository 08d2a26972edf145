/* ---
description: >
  Population of every census year since 1968 by commune of the target COG, from the census
  historical series: arrondissements summed into their commune, merged communes summed, split
  ones shared by population (int_passage_communes), as the other census bases.
columns:
  millesime: Census vintage of the series
  annee: Census year
  code_commune: Commune (target COG)
  population: Population
tests:
  - unique: [millesime, annee, code_commune]
  - not_null: [code_commune, annee, population]
--- */
select
    r.millesime,
    r.annee,
    coalesce(p.code_commune, r.code_geo) as code_commune,
    sum(r.population * coalesce(p.poids, 1.0)) as population
from stg_rp_serie_historique r
left join int_passage_communes p
    on p.annee_cog = least(r.annee_cog, getvariable('target_cog_year')) and p.code_source = r.code_geo
group by all
