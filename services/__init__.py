"""The domain and its infrastructure. Nothing here imports aiogram or bot/."""
