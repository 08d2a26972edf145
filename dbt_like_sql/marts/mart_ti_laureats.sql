/* ---
materialized: mart
description: >
  Lauréats of each territory, counted by measure (mesure_light) and by sector (filiere), with the
  sums of investment, aid and jobs where the source carries them and their coverage (share of the
  lauréats counted whose amount is reported). Lauréats are the projects of mart_laureats: the DGE
  France Relance file (every industrial measure, no amounts) merged with the programme extract of
  the Territoires d'industrie fund (aid, investment, jobs), a project present in both counted
  once; amounts therefore cover the fund's projects only (coverage 0 for other measures). A
  lauréat located in a commune shared by two territories counts in both; lauréats that could not
  be located are in mart_laureats with their reason. Every territory has an 'ensemble' row, with
  zero lauréats if none.
columns:
  id_ti: Territory id
  lib_ti: Territory name
  axe: ensemble (all the territory's lauréats), mesure (by mesure_light) or filiere (by sector)
  modalite: The measure or sector ('ensemble' on the ensemble row; 'non renseigné' when the source leaves it empty)
  nb_laureats: Distinct lauréat projects
  investissement: >
    Sum of the reported investments, EUR; 0 without lauréats; null when none of the lauréats
    counted reports one, or no source carries investments
  couverture_investissement: Share of the lauréats counted whose investment is reported; null without lauréats
  aide: Sum of the reported aid, EUR; 0 without lauréats; null when none of the lauréats counted reports it
  couverture_aide: Share of the lauréats counted whose aid is reported; null without lauréats
  emplois: Sum of the reported jobs; 0 without lauréats; null when none of the lauréats counted reports them
  couverture_emplois: Share of the lauréats counted whose jobs are reported; null without lauréats
  millesime: Vintage of the lauréat files (the newest)
tests:
  - unique: [id_ti, axe, modalite]
  - not_null: [id_ti, axe, modalite, nb_laureats]
  - accepted_values: {column: axe, values: [ensemble, mesure, filiere]}
  - relationships: {column: id_ti, to: mart_ti_composition.id_ti}
  - assert: {name: couvertures_entre_0_et_1, sql: "select * from mart_ti_laureats where couverture_investissement not between 0 and 1 or couverture_aide not between 0 and 1 or couverture_emplois not between 0 and 1"}
  - assert:
      name: ventilations_egales_ensemble
      sql: >
        select e.id_ti, v.axe, e.nb_laureats, v.total
        from mart_ti_laureats e
        join (select id_ti, axe, sum(nb_laureats) as total
              from mart_ti_laureats where axe <> 'ensemble' group by all) v using (id_ti)
        where e.axe = 'ensemble' and e.nb_laureats <> v.total
    description: Counts by measure and by sector add up to the territory's total
--- */
with laureats as (
    select
        m.id_ti, l.id_laureat,
        coalesce(nullif(trim(l.mesure_light), ''), 'non renseigné') as mesure_light,
        coalesce(nullif(trim(l.filiere), ''), 'non renseigné') as filiere,
        l.montant_investissement, l.montant_aide, l.emplois
    from int_laureats_projets l
    join int_ti_communes m using (code_commune)
),
portes as (
    -- does any source carry the field at all? (without the programme extract: null, not 0)
    select
        max(millesime) as millesime,
        bool_or(montant_investissement is not null) as porte_investissement,
        bool_or(montant_aide is not null) as porte_aide,
        bool_or(emplois is not null) as porte_emplois
    from int_laureats_projets
),
ventilees as (
    select id_ti, 'ensemble' as axe, 'ensemble' as modalite, * exclude (id_ti) from laureats
    union all
    select id_ti, 'mesure', mesure_light, * exclude (id_ti) from laureats
    union all
    select id_ti, 'filiere', filiere, * exclude (id_ti) from laureats
),
sommes as (
    select
        id_ti, axe, modalite,
        count(distinct id_laureat) as nb_laureats,
        coalesce(sum(montant_investissement), 0) as investissement,
        count(distinct id_laureat) filter (where montant_investissement is not null) as nb_investissement,
        coalesce(sum(montant_aide), 0) as aide,
        count(distinct id_laureat) filter (where montant_aide is not null) as nb_aide,
        coalesce(sum(emplois), 0) as emplois,
        count(distinct id_laureat) filter (where emplois is not null) as nb_emplois
    from ventilees
    group by all
),
grille as (
    -- every territory gets its 'ensemble' row, zero lauréats included
    select id_ti, 'ensemble' as axe, 'ensemble' as modalite from stg_ti_territoires
    union
    select id_ti, axe, modalite from sommes
)
select
    g.id_ti,
    t.lib_ti,
    g.axe,
    g.modalite,
    coalesce(s.nb_laureats, 0) as nb_laureats,
    case when p.porte_investissement and coalesce(s.nb_investissement, 0) = coalesce(s.nb_laureats, 0) then coalesce(s.investissement, 0)
         when p.porte_investissement and s.nb_investissement > 0 then s.investissement end as investissement,
    case when p.porte_investissement then s.nb_investissement / nullif(s.nb_laureats, 0) end as couverture_investissement,
    case when p.porte_aide and coalesce(s.nb_aide, 0) = coalesce(s.nb_laureats, 0) then coalesce(s.aide, 0)
         when p.porte_aide and s.nb_aide > 0 then s.aide end as aide,
    case when p.porte_aide then s.nb_aide / nullif(s.nb_laureats, 0) end as couverture_aide,
    case when p.porte_emplois and coalesce(s.nb_emplois, 0) = coalesce(s.nb_laureats, 0) then coalesce(s.emplois, 0)
         when p.porte_emplois and s.nb_emplois > 0 then s.emplois end as emplois,
    case when p.porte_emplois then s.nb_emplois / nullif(s.nb_laureats, 0) end as couverture_emplois,
    p.millesime
from grille g
join stg_ti_territoires t using (id_ti)
cross join portes p
left join sommes s using (id_ti, axe, modalite)
order by g.id_ti, g.axe <> 'ensemble', g.axe, g.modalite
