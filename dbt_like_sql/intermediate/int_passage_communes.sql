/* ---
description: >
  How to move a commune code of any COG year onto the target COG (DESIGN.md decision 4): Insee's
  passage table (merged communes map several codes onto one) plus the arrondissements municipaux
  of Paris, Lyon and Marseille mapped to their commune. A code split into several target communes
  is shared out by the population of the targets (poids sums to 1 for each code and year).
  Consumers join on (annee_cog, code_source) and keep codes absent from the table unchanged
  (codes of a COG newer than the target are taken as they are).
columns:
  annee_cog: COG year of code_source
  code_source: Commune or arrondissement code in that COG
  code_commune: Commune code in the target COG
  poids: Share of code_source's values that go to code_commune
tests:
  - not_null: [annee_cog, code_source, code_commune, poids]
  - unique: [annee_cog, code_source, code_commune]
  - assert: {name: poids_somme_a_un, sql: "select annee_cog, code_source, sum(poids) as total from int_passage_communes group by all having abs(sum(poids) - 1) > 1e-9"}
--- */
with passage as (
    select annee_cog, code_commune as code_source, code_commune_cible as code_commune
    from stg_cog_passage
),
annees as (
    select distinct annee_cog from passage
),
arrondissements as (
    -- an arrondissement code is valid in every COG year of the table
    select a.annee_cog, c.code_commune as code_source, c.code_commune_parent as code_commune
    from stg_cog_communes c
    cross join annees a
    where c.type_commune = 'ARM'
),
liens as (
    select * from passage
    union
    select * from arrondissements
),
population as (
    select code_commune, population
    from stg_communes_siren
    where type_commune = 'commune-actuelle'
),
cibles as (
    select l.annee_cog, l.code_source, l.code_commune, coalesce(p.population, 0) as population_cible
    from liens l
    left join population p on p.code_commune = l.code_commune
),
-- the targets of each source code counted and summed by a GROUP BY joined back, not a window
-- over the 800,000 national links: 0.75 -> 0.56 s, 1.4 -> 1.0 CPU-s (issue 8)
par_source as (
    select annee_cog, code_source, count(*) as nb_cibles, sum(population_cible) as population_totale
    from cibles
    group by all
)
select
    c.annee_cog,
    c.code_source,
    c.code_commune,
    case
        when s.nb_cibles = 1 then 1.0
        when s.population_totale > 0 then c.population_cible / s.population_totale
        else 1.0 / s.nb_cibles
    end as poids
from cibles c
join par_source s using (annee_cog, code_source)
