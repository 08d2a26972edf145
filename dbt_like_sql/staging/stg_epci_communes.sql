/* ---
description: Commune composition of the EPCI (latest Insee file); ZZZZZZZZZ marks communes without EPCI.
columns:
  code_commune: Commune code
  siren_epci: SIREN of its EPCI
  libelle_epci: EPCI name
  nature_epci: ME, CA, CU, CC or ZZ (the Métropole de Lyon's METLYON is a métropole, ME)
tests:
  - unique: [code_commune]
--- */
with latest_communes as (
    select * from raw_epci_communes where millesime = (select max(millesime) from raw_epci_communes)
),
latest_epci as (
    select * from raw_epci where millesime = (select max(millesime) from raw_epci)
)
select
    c.CODGEO as code_commune,
    c.EPCI as siren_epci,
    c.LIBEPCI as libelle_epci,
    case e.NATURE_EPCI when 'METLYON' then 'ME' else e.NATURE_EPCI end as nature_epci,
    c.millesime as annee_cog
from latest_communes c
left join latest_epci e on e.EPCI = c.EPCI
