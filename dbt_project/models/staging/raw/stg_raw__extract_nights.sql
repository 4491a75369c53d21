-- The nights each source system delivered, from the loader's log.
select
    {{ adapter.quote('system') }} as source_system,
    extract_date,
    count(*) as files_seen
from {{ source('raw', 'load_log') }}
where extract_date is not null
group by 1, 2
