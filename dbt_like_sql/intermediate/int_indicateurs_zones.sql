/* ---
description: >
  Numerators and denominators of every indicator for every zone (each territory and the four
  comparators, int_zones_communes) and year: the sums of the communes' figures
  (int_indicateurs_communes), plus the two indicators that are not sums of communes: nb_epci
  (distinct groupements) and top_secteurs_industriels (posts of the zone's three largest
  industrial sectors, int_secteurs_zones). The marts divide last. When a source has several
  vintages for the same year, the newest is kept.
columns:
  type_zone: TI, FRANCE, REGION, ENSEMBLE_TI or HORS_TI
  code_zone: Territory id, region code, or FRANCE / ENSEMBLE_TI / HORS_TI
  code_indicateur: Indicator code (dim_indicateur)
  annee: Year the figures refer to
  annee_base: For changes, the year of the denominator; null otherwise
  source: Source of the figures
  millesime: Vintage of the source
  numerateur: Sum of the communes' numerators (the value itself for counts and sums)
  denominateur: Sum of the communes' denominators, null for counts and sums
  secret: A suppressed Flores or Urssaf cell went in (under-estimate)
  nb_communes_renseignees: Communes of the zone with the data the indicator needs
  nb_communes_zone: Communes of the zone
  nb_unites: Units behind the figure (lauréats for lauréat sums, industrial establishments of both years for Urssaf changes); null otherwise
  nb_unites_renseignees: Those whose value is known (amount reported, headcount published); null otherwise
  detail: For top_secteurs_industriels, the A38 codes of the three sectors, ' ; '-separated
tests:
  - unique: [type_zone, code_zone, code_indicateur, annee]
  - not_null: [type_zone, code_zone, code_indicateur, annee, secret, nb_communes_zone]
  - assert:
      name: france_egale_ti_plus_hors_ti
      sql: >
        select f.code_indicateur, f.annee, f.numerateur, e.numerateur as ensemble_ti, h.numerateur as hors_ti
        from int_indicateurs_zones f
        join int_indicateurs_zones e on e.type_zone = 'ENSEMBLE_TI' and e.code_indicateur = f.code_indicateur and e.annee = f.annee
        join int_indicateurs_zones h on h.type_zone = 'HORS_TI' and h.code_indicateur = f.code_indicateur and h.annee = f.annee
        where f.type_zone = 'FRANCE' and f.code_indicateur not in ('nb_epci', 'top_secteurs_industriels')
          and abs(f.numerateur - e.numerateur - h.numerateur) > 1e-6 * greatest(abs(f.numerateur), 1)
--- */
with communes as (
    select * from int_indicateurs_communes
    qualify millesime = max(millesime) over (partition by code_indicateur, annee)
),
taille_zones as (
    select type_zone, code_zone, count(*) as nb_communes_zone
    from int_zones_communes
    group by all
),
sommes as (
    select
        z.type_zone, z.code_zone, c.code_indicateur, c.annee,
        any_value(c.annee_base) as annee_base,
        any_value(c.source) as source,
        any_value(c.millesime) as millesime,
        sum(c.numerateur) as numerateur,
        sum(c.denominateur) as denominateur,
        bool_or(c.secret) as secret,
        -- one row per commune, indicator and year (int_indicateurs_communes is unique on them)
        count(*) filter (where c.renseigne) as nb_communes_renseignees,
        sum(c.nb_unites) as nb_unites,
        sum(c.nb_unites_renseignees) as nb_unites_renseignees,
        null::varchar as detail
    from communes c
    join int_zones_communes z using (code_commune)
    group by all
),
groupements_ti as (
    -- a territory's groupements are those of the TI list (EPCI, EPT, or single communes);
    -- all territories together: each groupement once
    select 'TI' as type_zone, id_ti as code_zone, siren_groupement as groupement, millesime from stg_ti_groupements
    union all
    select 'ENSEMBLE_TI', 'ENSEMBLE_TI', siren_groupement, millesime from stg_ti_groupements
),
groupements_autres as (
    -- outside the TI lists there are only the Insee EPCI; a commune without EPCI (ZZZZZZZZZ,
    -- islands) counts as its own groupement, as a COM groupement does in the TI lists
    select z.type_zone, z.code_zone,
           case when c.siren_epci is null or c.siren_epci = 'ZZZZZZZZZ' then 'COM' || c.code_commune else c.siren_epci end as groupement,
           c.annee_cog as millesime
    from int_zones_communes z
    join int_communes c using (code_commune)
    where z.type_zone in ('FRANCE', 'REGION', 'HORS_TI')
),
nb_epci as (
    select
        g.type_zone, g.code_zone, 'nb_epci' as code_indicateur,
        getvariable('target_cog_year') as annee, null::integer as annee_base,
        case when g.type_zone in ('TI', 'ENSEMBLE_TI') then 'ANCT, listes TI (groupements)' else 'Insee, intercommunalités' end as source,
        max(g.millesime) as millesime,
        count(distinct g.groupement)::double as numerateur, null::double as denominateur,
        false as secret,
        t.nb_communes_zone as nb_communes_renseignees,
        t.nb_communes_zone,
        null::double as nb_unites, null::double as nb_unites_renseignees, null::varchar as detail
    from (select * from groupements_ti union all select * from groupements_autres) g
    join taille_zones t using (type_zone, code_zone)
    group by all
),
top_secteurs as (
    select
        type_zone, code_zone, annee,
        sum(postes) filter (where rang <= 3) as postes_top_3,
        bool_or(secret) filter (where rang <= 3) as secret_top_3,
        string_agg(activite_a38, ' ; ' order by rang) filter (where rang <= 3) as detail
    from int_secteurs_zones
    group by all
),
top_secteurs_zones as (
    -- one row wherever industrial posts are known, even when a zone has no industrial sector
    -- (value then undefined, 0 / 0); communes renseignées as for the other Flores indicators
    select
        p.type_zone, p.code_zone, 'top_secteurs_industriels' as code_indicateur, p.annee,
        null::integer as annee_base, p.source, p.millesime,
        coalesce(t.postes_top_3, 0) as numerateur,
        p.numerateur as denominateur,
        coalesce(t.secret_top_3, false) or p.secret as secret,
        p.nb_communes_renseignees,
        null::double as nb_unites, null::double as nb_unites_renseignees,
        t.detail
    from sommes p
    left join top_secteurs t using (type_zone, code_zone, annee)
    where p.code_indicateur = 'postes_salaries_industrie'
)
select s.*, t.nb_communes_zone
from sommes s join taille_zones t using (type_zone, code_zone)
union all by name
select * from nb_epci
union all by name
select ts.*, t.nb_communes_zone
from top_secteurs_zones ts
join taille_zones t using (type_zone, code_zone)
