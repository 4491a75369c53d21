-- Currencies (NetSuite currency list) with base and reporting flags, plus an unknown member.
select
    currency_code,
    currency_id as erp_currency_id,
    currency_symbol,
    display_symbol,
    currency_precision,
    coalesce(is_base_currency, false) as is_base_currency,
    currency_code = '{{ var("reporting_currency") }}' as is_reporting_currency,
    coalesce(is_inactive, false) as is_inactive,
    false as is_unknown
from {{ throughline.erp_input('currencies') }}
where currency_code is not null

union all

select '-1', null, null, null, null, false, false, false, true
