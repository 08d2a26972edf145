-- The floor: the core aggregates per territory straight from the files, in one DuckDB script.
-- No orchestration, no validation, no intermediate files: the fastest way to get these numbers.
-- Placeholders in braces are filled by benchmarks/floor.py (file paths, years, the industry scope).

-- Moving commune codes onto the target COG: the passage table (one row per commune history),
-- plus the arrondissements municipaux onto their commune; a code split into several target
-- communes is shared by their population (découpage administratif), 1/n without population.
create temp table liens as
with passage as (
    select * from read_csv('{passage_csv}', all_varchar = true, header = true)
),
cog as (
    select * from read_csv('{cog_csv}', all_varchar = true, header = true)
),
bruts as (
    {passage_union}
    union all
    select a.annee_cog, c.COM, c.COMPARENT
    from cog c cross join (select unnest({passage_years}) as annee_cog) a
    where c.TYPECOM = 'ARM'
),
distincts as (
    select distinct annee_cog, code_source, code_commune
    from bruts where code_source is not null and code_commune is not null
),
population as (
    select code as code_commune, population
    from read_json('{communes_json}')
    where "type" = 'commune-actuelle'
)
select
    d.annee_cog, d.code_source, d.code_commune,
    case
        when count(*) over w = 1 then 1.0
        when sum(coalesce(p.population, 0)) over w > 0 then coalesce(p.population, 0) / sum(coalesce(p.population, 0)) over w
        else 1.0 / count(*) over w
    end as poids
from distincts d
left join population p using (code_commune)
window w as (partition by d.annee_cog, d.code_source);

create temp table communes_cibles as
select COM as code_commune
from read_csv('{cog_csv}', all_varchar = true, header = true)
where TYPECOM = 'COM';

-- Territory membership in the target COG (a commune can belong to several territories).
create temp table membres as
with liste as (
    select insee_com as code, trim(unnest(string_split(id_ti, ' ; '))) as id_ti
    from read_csv('{ti_csv}', all_varchar = true, header = true)
)
select distinct l.id_ti, coalesce(p.code_commune, l.code) as code_commune
from liste l
left join liens p on p.annee_cog = {ti_cog} and p.code_source = l.code
where coalesce(p.code_commune, l.code) in (select code_commune from communes_cibles);

-- One value per commune of the target COG and measure.
create temp table valeurs as
with rp as (
    select 'population' as mesure, CODGEO as code, cast(P{rp_yy}_POP as double) as valeur
    from read_csv('{rp_population_csv}', all_varchar = true, header = true)
    union all
    select 'emplois_industrie_rp', CODGEO, cast(C{rp_yy}_EMPLT_INDUS as double)
    from read_csv('{rp_emploi_csv}', all_varchar = true, header = true)
    union all
    select 'emplois_rp', CODGEO, cast(C{rp_yy}_EMPLT as double)
    from read_csv('{rp_emploi_csv}', all_varchar = true, header = true)
),
flores as (
    select 'postes_industrie_flores' as mesure, GEO as code, cast(OBS_VALUE as double) as valeur
    from read_csv('{flores_csv}', all_varchar = true, header = true)
    where GEO_OBJECT = 'COM' and LEGAL_FORM_WITH_PUBLIC = '1T9X7'
      and FLORES_MEASURE = 'EMPL3112' and NUMBER_EMPL = '_T'
      and left(ACTIVITY, 1) in {industry_sections}
      and TIME_PERIOD = '{flores_year}'
),
urssaf as (
    select 'effectifs_industrie_urssaf' as mesure, code_commune as code,
           cast(effectifs_salaries_{urssaf_year} as double) as valeur
    from read_csv('{urssaf_csv}', all_varchar = true, header = true)
    where cast(left(code_ape, 2) as integer) between {industry_divisions}
),
laureats as (
    select row_number() over () as id_laureat,
           regexp_replace(coalesce(siren, ''), '[^0-9]', '', 'g') as id_chiffres
    from read_csv('{relance_csv}', all_varchar = true, header = true)
),
places as (
    -- the lauréat's SIRET found in Sirene: the establishment's commune
    select l.id_laureat, any_value(s.codeCommuneEtablissement) as code
    from laureats l
    join read_parquet('{sirene_parquet}') s on s.siret = l.id_chiffres
    where length(l.id_chiffres) = 14 and s.codeCommuneEtablissement is not null
    group by all
),
laureats_cibles as (
    -- a split code goes to the target commune with the largest share
    select 'nb_laureats_siret' as mesure,
           arg_max(coalesce(p.code_commune, pl.code), coalesce(p.poids, 1.0)) as code_commune,
           1.0 as valeur
    from places pl
    left join liens p on p.annee_cog = {sirene_cog} and p.code_source = pl.code
    group by pl.id_laureat
),
moved as (
    select r.mesure, coalesce(p.code_commune, r.code) as code_commune, r.valeur * coalesce(p.poids, 1.0) as valeur
    from rp r left join liens p on p.annee_cog = {rp_cog} and p.code_source = r.code
    union all
    select f.mesure, coalesce(p.code_commune, f.code), f.valeur * coalesce(p.poids, 1.0)
    from flores f left join liens p on p.annee_cog = {flores_cog} and p.code_source = f.code
    union all
    select u.mesure, coalesce(p.code_commune, u.code), u.valeur * coalesce(p.poids, 1.0)
    from urssaf u left join liens p on p.annee_cog = {urssaf_cog} and p.code_source = u.code
    union all
    select mesure, code_commune, valeur from laureats_cibles
)
select mesure, code_commune, sum(valeur) as valeur
from moved
group by all;

-- Per territory: sums over its communes (counts first, the ratio last).
select
    t.id_ti,
    coalesce(sum(v.valeur) filter (where v.mesure = 'population'), 0) as population,
    coalesce(sum(v.valeur) filter (where v.mesure = 'emplois_industrie_rp'), 0) as emplois_industrie_rp,
    coalesce(sum(v.valeur) filter (where v.mesure = 'emplois_rp'), 0) as emplois_rp,
    coalesce(sum(v.valeur) filter (where v.mesure = 'postes_industrie_flores'), 0) as postes_industrie_flores,
    coalesce(sum(v.valeur) filter (where v.mesure = 'effectifs_industrie_urssaf'), 0) as effectifs_industrie_urssaf,
    coalesce(sum(v.valeur) filter (where v.mesure = 'nb_laureats_siret'), 0) as nb_laureats_siret
from (select distinct trim(unnest(string_split(id_ti, ' ; '))) as id_ti
      from read_csv('{ti_territoires_csv}', all_varchar = true, header = true)) t
left join membres m using (id_ti)
left join valeurs v using (code_commune)
group by all
order by id_ti;
