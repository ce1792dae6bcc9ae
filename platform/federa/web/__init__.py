"""The web layer: pages, forms, the JSON API and the middleware they share."""

from federa.web import convertors

convertors.register()
