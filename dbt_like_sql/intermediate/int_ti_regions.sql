/* ---
description: >
  Each territory's reference region, the comparator of INDICATORS.md: the region holding most of
  its population (a territory can straddle regions), and the list of its regions.
columns:
  id_ti: Territory id
  code_region: Reference region
  codes_regions: Every region the territory touches
tests:
  - unique: [id_ti]
  - not_null: [id_ti, code_region]
--- */
with par_region as (
    select m.id_ti, c.code_region, sum(c.population_reference) as population
    from int_ti_communes m
    join int_communes c using (code_commune)
    group by all
)
select
    id_ti,
    arg_max(code_region, (population, code_region)) as code_region,
    string_agg(code_region, ' ; ' order by code_region) as codes_regions
from par_region
group by all
