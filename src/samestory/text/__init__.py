"""Text analysis: normalisation, sentence segmentation, language identification, mentions."""
