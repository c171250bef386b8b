"""The Streamlit app's panels, query-parameter state and charts (presentation only: they compute nothing)."""
