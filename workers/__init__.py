"""The arq worker of Federa."""
