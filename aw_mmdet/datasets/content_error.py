"""The error every dataset content check raises: it names the file and the entry."""


class DatasetContentError(ValueError):
    """An annotation file or the images it lists are unusable (the message says where)."""
