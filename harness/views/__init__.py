"""What a person looks at. Needs the ``viz`` extra (matplotlib, ipywidgets).

- :mod:`.plot` — timeline pictures (public as :mod:`harness.plot`), drawn from
  :mod:`.timeline_axis` (where each observation goes), :mod:`.lanes` (one
  function a lane) and saved by :mod:`.picture_files` (the same bytes every time);
- :mod:`.widgets` — the notebook explorer (public as :mod:`harness.widgets`);
- :mod:`.report` and :mod:`.report_page` — the report folder and its page.
"""
