"""Language tools for news text: tokenizers, stop words and stemmers for ru, kk and en."""
